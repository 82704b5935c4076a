/**
 * The fused kernels (Backend.biasAct, reluBackward, colSums, softmaxLoss, sumSquares): the TypeScript
 * specification against values worked out by hand, then the native kernels against the specification
 * on both dtypes, in place and not, on shapes wider than the native column block, with their argument
 * checks.
 */
import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import type { FloatArray } from '../tensor'
import { loadAddon, loadNativeBackend, selfTestFused } from './native'
import { biasActTs, colSumsTs, reluBackwardTs, softmaxLossTs, sumSquaresTs } from './ts'
import type { Backend } from './types'

const loaded = loadNativeBackend()
const reason = 'error' in loaded ? loaded.error : null
// CI installs BLAS, so there an unavailable backend is a failure, not a skip.
const skip = reason !== null && !process.env['CI']
if (skip) console.warn('skipped: native backend unavailable: ' + reason)

function native(): Backend {
  if ('error' in loaded) throw new Error(`native backend unavailable: ${loaded.error}`)
  return loaded.backend
}

const f32 = (v: number[]): Float32Array => Float32Array.from(v)

describe('fused kernels: the TypeScript specification', () => {
  it('biasAct adds the bias per column and clamps at 0, letting NaN through', () => {
    const x = f32([1, -2, 3, -4, NaN, 0.5])
    const out = new Float32Array(6)
    biasActTs(x, f32([0.5, 1, -4]), 2, 3, true, out)
    expect([...out]).toEqual([1.5, 0, 0, 0, NaN, 0])
    biasActTs(x, f32([0.5, 1, -4]), 2, 3, false, out)
    expect([...out]).toEqual([1.5, -1, -1, -3.5, NaN, -3.5])
    biasActTs(x, null, 2, 3, true, out)
    expect([...out]).toEqual([1, 0, 3, 0, NaN, 0.5])
  })

  it('reluBackward masks where h <= 0 and sums the masked columns', () => {
    const g = f32([1, 2, 3, 4, 5, 6])
    const h = f32([1, 0, -1, 2, NaN, 3])
    const out = new Float32Array(6)
    const db = new Float32Array(3)
    reluBackwardTs(g, h, 2, 3, out, db)
    expect([...out]).toEqual([1, 0, 0, 4, 0, 6])
    expect([...db]).toEqual([5, 0, 6])
  })

  it('colSums sums columns', () => {
    const db = new Float64Array(2)
    colSumsTs(Float64Array.from([1, 2, 3, 4, 5, 6]), 3, 2, db)
    expect([...db]).toEqual([9, 12])
  })

  it('softmaxLoss gives the mean cross-entropy and (p - onehot) / N', () => {
    const x = Float64Array.from([0, Math.log(3), 5, 5])
    const dx = new Float64Array(4)
    const loss = softmaxLossTs(x, Int32Array.from([1, 0]), 2, 2, dx)
    // Row 0: p = (1/4, 3/4), label 1; row 1: p = (1/2, 1/2), label 0.
    expect(loss).toBeCloseTo((-Math.log(0.75) - Math.log(0.5)) / 2, 14)
    const want = [0.25 / 2, (0.75 - 1) / 2, (0.5 - 1) / 2, 0.5 / 2]
    dx.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14))
  })

  it('sumSquares sums the first n squares', () => {
    expect(sumSquaresTs(f32([1, -2, 3, 100]), 3)).toBe(14)
  })
})

describe.skipIf(skip)('fused kernels: native against the specification', () => {
  const rng = new Rng(3)
  const cases: [string, (n: number) => FloatArray, number][] = [
    ['float32', (n) => new Float32Array(n), 2e-6],
    ['float64', (n) => new Float64Array(n), 1e-12],
  ]
  const close = (got: FloatArray, want: FloatArray, tol: number): void => {
    expect(got.length).toBe(want.length)
    for (let i = 0; i < want.length; i++) {
      if (Object.is(got[i], want[i])) continue
      expect(Math.abs(got[i]! - want[i]!), `index ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(
        tol * (1 + Math.abs(want[i]!)),
      )
    }
  }

  for (const [dtype, make, tol] of cases) {
    const rand = (n: number, scale = 2): FloatArray => make(n).map(() => (rng.random() * 2 - 1) * scale)
    for (const [N, M] of [
      [1, 1],
      [200, 100],
      [3, 517],
    ] as const) {
      it(`${dtype} ${N}x${M}: biasAct, reluBackward and colSums, in place and not`, () => {
        const be = native()
        const x = rand(N * M)
        x[0] = NaN
        const b = rand(M)
        for (const relu of [true, false]) {
          for (const bias of [b, null]) {
            const want = make(N * M)
            biasActTs(x, bias, N, M, relu, want)
            const got = make(N * M)
            be.biasAct(x, bias, N, M, relu, got)
            close(got, want, tol)
            const inPlace = x.slice()
            be.biasAct(inPlace, bias, N, M, relu, inPlace)
            close(inPlace, want, tol)
          }
        }
        const g = rand(N * M)
        const outWant = make(N * M)
        const dbWant = make(M)
        reluBackwardTs(g, x, N, M, outWant, dbWant)
        const out = make(N * M)
        const db = make(M)
        be.reluBackward(g, x, N, M, out, db)
        close(out, outWant, tol)
        close(db, dbWant, tol)
        const inPlace = g.slice()
        be.reluBackward(inPlace, x, N, M, inPlace, null)
        close(inPlace, outWant, tol)
        const sums = make(M)
        const sumsWant = make(M)
        colSumsTs(g, N, M, sumsWant)
        be.colSums(g, N, M, sums)
        close(sums, sumsWant, tol)
        expect(Math.abs(be.sumSquares(g, g.length) - sumSquaresTs(g, g.length))).toBeLessThanOrEqual(
          tol * sumSquaresTs(g, g.length),
        )
      })

      it(`${dtype} ${N}x${M}: softmaxLoss on large and small scores`, () => {
        const be = native()
        for (const scale of [1e-3, 1, 50]) {
          const x = rand(N * M, scale)
          const y = Int32Array.from({ length: N }, () => rng.int(M))
          const dxWant = make(N * M)
          const want = softmaxLossTs(x, y, N, M, dxWant)
          const dx = make(N * M)
          const loss = be.softmaxLoss(x, y, N, M, dx)
          expect(Math.abs(loss - want)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want)))
          close(dx, dxWant, tol)
        }
      })
    }
  }

  it('passes its start-up self-test', () => {
    expect(selfTestFused(native())).toBeNull()
  })

  it('rejects mixed types, short arrays, partial overlaps and bad labels with the kernel named', () => {
    const a = loadAddon()
    if ('error' in a) throw new Error(a.error)
    const k = a.addon
    const x = new Float32Array(12)
    expect(() => k.biasAct(x, new Float64Array(3), 4, 3, true, x)).toThrow(/biasAct: b must have the same/)
    expect(() => k.biasAct(x, null, 5, 3, true, x)).toThrow(/biasAct: x has 12 elements, needs 15/)
    expect(() => k.biasAct(x, null, 2, 3, true, x.subarray(1))).toThrow(/biasAct: out must be x itself/)
    expect(() => k.reluBackward(x, x, 3, 3, x.subarray(2), null)).toThrow(/reluBackward: out must be g/)
    expect(() => k.colSums(x, 4, 3, x.subarray(0, 3))).toThrow(/colSums: db must not share memory/)
    expect(() => k.softmaxLoss(x, new Int32Array([0, 1, 5, 0]), 4, 3, new Float32Array(12))).toThrow(
      /softmaxLoss: a label is outside/,
    )
    expect(() => k.softmaxLoss(x, new Uint8Array(4) as never, 4, 3, new Float32Array(12))).toThrow(
      /softmaxLoss: y must be an Int32Array/,
    )
    expect(() => k.sumSquares(x, 13)).toThrow(/sumSquares: n exceeds/)
    expect(() => k.biasAct(x, null, -1, 3, true, x)).toThrow(/biasAct: N must be an integer/)
  })
})
