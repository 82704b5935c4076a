/**
 * Inverted dropout: in train mode each unit is kept with probability p and scaled by 1/p, so test mode
 * is the identity. `p` is the probability of KEEPING a unit (CS231n's convention).
 */
import { assertDtype, assertKnownKeys, assertNumberInRange, assertSameShape, assertTensor } from '../check'
import { Rng, randomSeed } from '../rng'
import { scratchUninit, type Tensor } from '../tensor'

export interface DropoutParam {
  /** Probability of keeping a unit, in (0, 1]. */
  p: number
  mode: 'train' | 'test'
  /** Fixed seed: the same mask on every call (what gradient checks need). */
  seed?: number
  /** Stream of masks: a fresh, reproducible mask per call. Takes precedence over `seed`. */
  rng?: Rng | null
}

export interface DropoutCache {
  mode: 'train' | 'test'
  /** mask: shape of x, 0 or 1/p; null in test mode. */
  mask: Tensor | null
}

/** x: any shape -> out: same shape. */
export function dropoutForward(x: Tensor, dropoutParam: DropoutParam): [Tensor, DropoutCache] {
  const fn = 'dropoutForward'
  assertTensor(x, fn, 'x')
  if (typeof dropoutParam !== 'object' || dropoutParam === null) {
    throw new TypeError(`${fn}: dropoutParam must be an object`)
  }
  assertKnownKeys(dropoutParam, ['p', 'mode', 'seed', 'rng'], fn, 'dropoutParam key')
  const { p, mode } = dropoutParam
  assertNumberInRange(p, 0, 1, fn, 'dropoutParam.p (keep probability)', { loOpen: true })
  if (mode !== 'train' && mode !== 'test') {
    throw new TypeError(`${fn}: dropoutParam.mode must be 'train' or 'test', got ${String(mode)}`)
  }
  if (mode === 'test') return [x, { mode, mask: null }]

  const rng = dropoutParam.rng ?? new Rng(dropoutParam.seed ?? randomSeed())
  const mask = scratchUninit(x.shape, x.dtype)
  const out = scratchUninit(x.shape, x.dtype)
  const m = mask.data
  const o = out.data
  const xd = x.data
  const scale = 1 / p
  // One 32-bit draw per unit: P(u < p * 2^32) = p up to 2^-32.
  const threshold = p * 4294967296
  for (let i = 0; i < xd.length; i++) {
    const keep = rng.nextUint32() < threshold ? scale : 0
    m[i] = keep
    o[i] = xd[i]! * keep
  }
  return [out, { mode, mask }]
}

/** dout: shape of x -> dx: same shape (dout * mask in train mode, dout in test mode). */
export function dropoutBackward(dout: Tensor, cache: DropoutCache): Tensor {
  const fn = 'dropoutBackward'
  assertTensor(dout, fn, 'dout')
  if (cache.mode === 'test' || cache.mask === null) return dout
  assertSameShape(dout, cache.mask, fn, 'dout', 'mask')
  assertDtype(dout, cache.mask.dtype, fn, 'dout')
  const dx = scratchUninit(dout.shape, dout.dtype)
  const m = cache.mask.data
  const g = dout.data
  for (let i = 0; i < g.length; i++) dx.data[i] = g[i]! * m[i]!
  return dx
}
