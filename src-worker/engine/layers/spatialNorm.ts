/**
 * Normalisation of convolutional activations (N, C, H, W) (CS231n assignment 2):
 * - spatial batch normalization: per channel, over the batch and every position, by viewing x as
 *   (N H W, C) rows and reusing the batchnorm layer;
 * - spatial group normalization (Wu & He 2018): per example, over groups of C / G channels and every
 *   position, with a per-channel affine transform (gamma, beta (1, C, 1, 1)).
 */
import { assertDtype, assertKnownKeys, assertNumberInRange, assertShape, assertTensor } from '../check'
import { scratchData } from '../memory'
import { scratchUninit, type FloatArray, type Tensor } from '../tensor'
import { batchnormBackwardAlt, batchnormForward, type BatchnormCache, type BnParam } from './batchnorm'

export interface SpatialBatchnormCache {
  /** The cache of the batchnorm over x viewed as (N H W, C). */
  bn: BatchnormCache
  /** (N, C, H, W) */
  shape: [number, number, number, number]
}

/** (N, C, H, W) -> (N H W, C): out[(n H W + p) C + c] = x[(n C + c) H W + p]. */
function toRows(x: FloatArray, N: number, C: number, HW: number, out: FloatArray): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const src = (n * C + c) * HW
      let dst = n * HW * C + c
      for (let p = 0; p < HW; p++, dst += C) out[dst] = x[src + p]!
    }
  }
}

/** (N H W, C) -> (N, C, H, W), the inverse of toRows. */
function fromRows(rows: FloatArray, N: number, C: number, HW: number, out: FloatArray): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const dst = (n * C + c) * HW
      let src = n * HW * C + c
      for (let p = 0; p < HW; p++, src += C) out[dst + p] = rows[src]!
    }
  }
}

/**
 * x: (N, C, H, W), gamma: (C,), beta: (C,), bnParam -> out: (N, C, H, W). bnParam as for batchnormForward
 * (running statistics of shape (C,)).
 */
export function spatialBatchnormForward(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  bnParam: BnParam,
): [Tensor, SpatialBatchnormCache] {
  const fn = 'spatialBatchnormForward'
  assertTensor(x, fn, 'x')
  assertShape(x, [-1, -1, -1, -1], fn, 'x')
  const [N, C, H, W] = x.shape as [number, number, number, number]
  // Checked here too, so that errors name this layer rather than the batchnorm over the (N H W, C) view.
  assertTensor(gamma, fn, 'gamma')
  assertTensor(beta, fn, 'beta')
  assertShape(gamma, [C], fn, 'gamma')
  assertShape(beta, [C], fn, 'beta')
  assertDtype(gamma, x.dtype, fn, 'gamma')
  assertDtype(beta, x.dtype, fn, 'beta')
  const rows = scratchUninit([N * H * W, C], x.dtype)
  toRows(x.data, N, C, H * W, rows.data)
  const [y, bn] = batchnormForward(rows, gamma, beta, bnParam)
  const out = scratchUninit([N, C, H, W], x.dtype)
  fromRows(y.data, N, C, H * W, out.data)
  return [out, { bn, shape: [N, C, H, W] }]
}

/** dout: (N, C, H, W) -> [dx: (N, C, H, W), dgamma: (C,), dbeta: (C,)]. */
export function spatialBatchnormBackward(
  dout: Tensor,
  cache: SpatialBatchnormCache,
): [Tensor, Tensor, Tensor] {
  const fn = 'spatialBatchnormBackward'
  assertTensor(dout, fn, 'dout')
  assertShape(dout, cache.shape, fn, 'dout')
  assertDtype(dout, cache.bn.xhat.dtype, fn, 'dout')
  const [N, C, H, W] = cache.shape
  const rows = scratchUninit([N * H * W, C], dout.dtype)
  toRows(dout.data, N, C, H * W, rows.data)
  const [drows, dgamma, dbeta] = batchnormBackwardAlt(rows, cache.bn)
  const dx = scratchUninit([N, C, H, W], dout.dtype)
  fromRows(drows.data, N, C, H * W, dx.data)
  return [dx, dgamma, dbeta]
}

export interface GnParam {
  /** Added to the variance for numerical stability. Default 1e-5. */
  eps?: number
}

export interface SpatialGroupnormCache {
  /** xhat: (N, C, H, W), each (example, group) normalised. */
  xhat: Tensor
  /** gamma: (1, C, 1, 1) */
  gamma: Tensor
  /** invStd: (N G,), 1 / sqrt(var + eps) per example and group. */
  invStd: FloatArray
  G: number
}

/**
 * x: (N, C, H, W), gamma: (1, C, 1, 1), beta: (1, C, 1, 1), G groups (C divisible by G), gnParam
 * -> out: (N, C, H, W) = gamma * xhat + beta, xhat normalised over each example's (C / G, H, W) group.
 */
export function spatialGroupnormForward(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  G: number,
  gnParam: GnParam = {},
): [Tensor, SpatialGroupnormCache] {
  const fn = 'spatialGroupnormForward'
  assertTensor(x, fn, 'x')
  assertTensor(gamma, fn, 'gamma')
  assertTensor(beta, fn, 'beta')
  assertShape(x, [-1, -1, -1, -1], fn, 'x')
  const [N, C, H, W] = x.shape as [number, number, number, number]
  assertShape(gamma, [1, C, 1, 1], fn, 'gamma')
  assertShape(beta, [1, C, 1, 1], fn, 'beta')
  assertDtype(gamma, x.dtype, fn, 'gamma')
  assertDtype(beta, x.dtype, fn, 'beta')
  if (!Number.isInteger(G) || G < 1 || C % G !== 0) {
    throw new RangeError(`${fn}: G must be a positive integer dividing C = ${C}, got ${String(G)}`)
  }
  if (typeof gnParam !== 'object' || gnParam === null) throw new TypeError(`${fn}: gnParam must be an object`)
  assertKnownKeys(gnParam, ['eps'], fn, 'gnParam key')
  const eps = gnParam.eps ?? 1e-5
  assertNumberInRange(eps, 0, Infinity, fn, 'gnParam.eps', { loOpen: true })

  const HW = H * W
  const M = (C / G) * HW
  const xd = x.data
  const xhat = scratchUninit([N, C, H, W], x.dtype)
  const out = scratchUninit([N, C, H, W], x.dtype)
  const h = xhat.data
  const o = out.data
  const invStd = scratchData(N * G, 'float64', false)
  for (let ng = 0; ng < N * G; ng++) {
    // Channels of one (example, group) are contiguous in (N, C, H, W).
    const start = ng * M
    let mean = 0
    for (let k = 0; k < M; k++) mean += xd[start + k]!
    mean /= M
    let variance = 0
    for (let k = 0; k < M; k++) {
      const c = xd[start + k]! - mean
      variance += c * c
    }
    const s = 1 / Math.sqrt(variance / M + eps)
    invStd[ng] = s
    const c0 = (ng % G) * (C / G)
    for (let k = 0; k < M; k++) {
      const c = c0 + Math.floor(k / HW)
      const v = (xd[start + k]! - mean) * s
      h[start + k] = v
      o[start + k] = gamma.data[c]! * v + beta.data[c]!
    }
  }
  return [out, { xhat, gamma, invStd, G }]
}

/**
 * dout: (N, C, H, W) -> [dx: (N, C, H, W), dgamma: (1, C, 1, 1), dbeta: (1, C, 1, 1)]. Per group of M
 * values, with dxhat = dout * gamma: dx = (invStd / M) (M dxhat - sum(dxhat) - xhat sum(dxhat xhat)).
 */
export function spatialGroupnormBackward(
  dout: Tensor,
  cache: SpatialGroupnormCache,
): [Tensor, Tensor, Tensor] {
  const fn = 'spatialGroupnormBackward'
  assertTensor(dout, fn, 'dout')
  assertShape(dout, cache.xhat.shape, fn, 'dout')
  assertDtype(dout, cache.xhat.dtype, fn, 'dout')
  const [N, C, H, W] = cache.xhat.shape as [number, number, number, number]
  const { G, invStd } = cache
  const HW = H * W
  const M = (C / G) * HW
  const g = dout.data
  const h = cache.xhat.data
  const gm = cache.gamma.data
  const dx = scratchUninit([N, C, H, W], dout.dtype)
  const dgamma = scratchData(C, 'float64', true)
  const dbeta = scratchData(C, 'float64', true)
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const start = (n * C + c) * HW
      let sg = 0
      let sb = 0
      for (let p = 0; p < HW; p++) {
        sg += g[start + p]! * h[start + p]!
        sb += g[start + p]!
      }
      dgamma[c]! += sg
      dbeta[c]! += sb
    }
  }
  for (let ng = 0; ng < N * G; ng++) {
    const start = ng * M
    const c0 = (ng % G) * (C / G)
    let sum = 0
    let sumH = 0
    for (let k = 0; k < M; k++) {
      const d = g[start + k]! * gm[c0 + Math.floor(k / HW)]!
      sum += d
      sumH += d * h[start + k]!
    }
    const s = invStd[ng]! / M
    for (let k = 0; k < M; k++) {
      const d = g[start + k]! * gm[c0 + Math.floor(k / HW)]!
      dx.data[start + k] = s * (M * d - sum - h[start + k]! * sumH)
    }
  }
  const dg = scratchUninit([1, C, 1, 1], dout.dtype)
  const db = scratchUninit([1, C, 1, 1], dout.dtype)
  dg.data.set(dgamma)
  db.data.set(dbeta)
  return [dx, dg, db]
}
