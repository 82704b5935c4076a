/**
 * Gradient check of the configured model (CS231n's grad_check_sparse): float64, a tiny batch, and for
 * each parameter a few random entries compared with centred differences. Checking every entry of a
 * (3072, 100) weight matrix would take 600,000 forward passes; a wrong backward pass shows in almost
 * any entry, so ten per parameter find it in a few hundred.
 *
 * CS231n checks its nets at reg 0 and at reg 0.7: a config without regularisation would otherwise never
 * check the regularisation term of the gradient, which the student turns on later. So at reg 0 the
 * same entries are checked again at `gradProbeReg`; a configured reg > 0 is checked as configured.
 */
import type { ParamGradCheck } from '../../../src-shared/sanity'
import { Arena, withArena } from '../memory'
import { Rng } from '../rng'
import type { Tensor } from '../tensor'
import { firstRows, fmt, type CheckContext, type Outcome } from './common'

const H = 1e-5
/** float64 epsilon times a margin for the rounding a forward pass accumulates over its sums. */
const ROUNDING = 2.2e-16 * 10

export function gradientCheck(ctx: CheckContext): Outcome {
  const { X, y } = firstRows(ctx, ctx.options.gradExamples, 'float64')
  const probe = ctx.reg > 0 ? null : ctx.options.gradProbeReg
  const regs = probe === null ? [ctx.reg] : [ctx.reg, probe]
  // Its own stream: which entries get checked never depends on (or advances) any other generator.
  const rng = new Rng((ctx.seed ^ 0x6a09e667) >>> 0)
  const tol = ctx.options.gradTolerance
  const entries = new Map<string, number[]>()

  // NaN errors (a NaN loss) stay NaN here and fail; the report turns them into null for JSON.
  type Checked = ParamGradCheck & { relError: number }
  const params: Checked[] = []
  for (const reg of regs) {
    const model = ctx.makeModel({ dtype: 'float64', reg, dropout: true })
    // Copied: the model may hand back scratch buffers that later loss calls reuse.
    const analytic: Record<string, Float64Array> = {}
    for (const [name, g] of Object.entries(model.loss(X, y).grads)) analytic[name] = Float64Array.from(g.data)
    const arena = new Arena()
    const f = (): number => withArena(arena, () => model.loss(X, y).loss)
    for (const [name, p] of Object.entries(model.params)) {
      const ana = analytic[name]
      if (!ana || ana.length !== p.data.length) {
        throw new RangeError(`the model returned no gradient of the shape of parameter ${name}`)
      }
      // The same entries at every reg: a difference between the two is the regularisation term's.
      let indices = entries.get(name)
      if (!indices) {
        indices = sampleIndices(p.data.length, ctx.options.gradChecksPerParam, rng)
        entries.set(name, indices)
      }
      let worst = 0
      for (const i of indices) {
        let err = entryError(f, p, i, ana[i]!, H, tol)
        // A ReLU kink between x - h and x + h spoils the difference; it moves away with a smaller step,
        // while a wrong analytic gradient stays wrong at any step.
        if (!(err <= tol)) err = Math.min(err, entryError(f, p, i, ana[i]!, H / 100, tol))
        if (!(err <= worst)) worst = err
      }
      const seen = params.find((q) => q.name === name)
      const entry: Checked = { name, checked: indices.length, relError: worst, passed: worst <= tol, reg }
      // One entry per parameter, in the model's order: the worst of its regs.
      if (!seen) params.push(entry)
      else if (!Number.isNaN(seen.relError) && !(worst <= seen.relError)) Object.assign(seen, entry)
    }
  }

  const failed = params.filter((p) => !p.passed)
  const top = params.reduce<(typeof params)[number] | null>(
    (a, b) => (a === null || !(b.relError <= a.relError) ? b : a),
    null,
  )
  const worstRelError = top?.relError ?? 0
  const at = regs.map((r) => fmt(r)).join(' and ')
  const onlyProbe = probe !== null && failed.length > 0 && failed.every((p) => p.reg === probe)
  const message =
    failed.length === 0
      ? `analytic and numerical gradients agree at reg ${at}: worst relative error ${fmt(worstRelError)}` +
        (top ? ` (${top.name})` : '')
      : `wrong gradient for ${failed.map((p) => `${p.name} (relative error ${fmt(p.relError)} at reg ${fmt(p.reg!)})`).join(', ')}` +
        `; allowed ${fmt(tol)}` +
        (onlyProbe
          ? `. It agrees at reg ${fmt(ctx.reg)}: the regularisation term of the gradient is missing or wrong`
          : '')
  return {
    passed: failed.length === 0,
    measured: probe === null ? { worstRelError } : { worstRelError, probeReg: probe },
    expected: { maxRelError: tol },
    message,
    params,
  }
}

/** k distinct indices in [0, n), or all of them when n <= k. */
function sampleIndices(n: number, k: number, rng: Rng): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i)
  const picked = new Set<number>()
  while (picked.size < k) picked.add(rng.int(n))
  return [...picked]
}

/**
 * Relative error of one entry, |num - analytic| / max(|num| + |analytic|, floor). The numerical gradient
 * carries rounding noise of about ROUNDING * |loss| / h however small the true gradient is (vanishing
 * gradients of a deep net with tiny weights are 1e-9 and less, where CS231n's rel_error reports noise
 * as a 1e-2 error), so the floor is the gradient size at which that noise alone reaches `tol`: smaller
 * entries are judged by their absolute difference against the noise.
 */
function entryError(f: () => number, p: Tensor, i: number, ana: number, h: number, tol: number): number {
  const d = p.data
  const old = d[i]!
  let plus: number
  let minus: number
  try {
    d[i] = old + h
    plus = f()
    d[i] = old - h
    minus = f()
  } finally {
    d[i] = old
  }
  const num = (plus - minus) / (2 * h)
  const noise = (ROUNDING * Math.max(Math.abs(plus), Math.abs(minus))) / h
  return Math.abs(num - ana) / Math.max(Math.abs(num) + Math.abs(ana), noise / tol, 1e-8)
}
