/**
 * Layer normalization (Ba, Kiros & Hinton 2016): each row of (N, D) activations is normalised over its
 * own D features, so train and test behave alike and no running statistics are kept.
 */
import { assertDtype, assertShape, assertTensor } from '../check'
import { scratchUninit, type FloatArray, type Tensor } from '../tensor'
import { checkNormArgs } from './batchnorm'

export interface LnParam {
  /** Added to the variance for numerical stability. Default 1e-5. */
  eps?: number
}

export interface LayernormCache {
  /** xhat: (N, D), each row normalised. */
  xhat: Tensor
  /** gamma: (D,) */
  gamma: Tensor
  /** invStd: (N,), 1 / sqrt(var + eps) per row. */
  invStd: FloatArray
}

/** x: (N, D), gamma: (D,), beta: (D,), lnParam -> out: (N, D) = gamma * xhat + beta. */
export function layernormForward(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  lnParam: LnParam = {},
): [Tensor, LayernormCache] {
  const [N, D] = checkNormArgs('layernormForward', x, gamma, beta, lnParam, ['eps'], 'lnParam')
  const eps = lnParam.eps ?? 1e-5
  const xd = x.data
  const xhat = scratchUninit([N, D], x.dtype)
  const out = scratchUninit([N, D], x.dtype)
  const invStd = new Float64Array(N)
  const g = gamma.data
  const b = beta.data
  for (let i = 0; i < N; i++) {
    const row = i * D
    let mean = 0
    for (let j = 0; j < D; j++) mean += xd[row + j]!
    mean /= D
    let variance = 0
    for (let j = 0; j < D; j++) {
      const c = xd[row + j]! - mean
      variance += c * c
    }
    const s = 1 / Math.sqrt(variance / D + eps)
    invStd[i] = s
    for (let j = 0; j < D; j++) {
      const v = (xd[row + j]! - mean) * s
      xhat.data[row + j] = v
      out.data[row + j] = g[j]! * v + b[j]!
    }
  }
  return [out, { xhat, gamma, invStd }]
}

/**
 * dout: (N, D) -> [dx: (N, D), dgamma: (D,), dbeta: (D,)]. Per row, with dxhat = dout * gamma:
 *   dx = (invStd / D) * (D * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))
 */
export function layernormBackward(dout: Tensor, cache: LayernormCache): [Tensor, Tensor, Tensor] {
  const fn = 'layernormBackward'
  assertTensor(dout, fn, 'dout')
  assertShape(dout, cache.xhat.shape, fn, 'dout')
  assertDtype(dout, cache.xhat.dtype, fn, 'dout')
  const [N, D] = cache.xhat.shape as [number, number]
  const g = dout.data
  const h = cache.xhat.data
  const gm = cache.gamma.data
  const dx = scratchUninit([N, D], dout.dtype)
  const dgamma = new Float64Array(D)
  const dbeta = new Float64Array(D)
  for (let i = 0; i < N; i++) {
    const row = i * D
    let sum = 0
    let sumH = 0
    for (let j = 0; j < D; j++) {
      const k = row + j
      const dxhat = g[k]! * gm[j]!
      sum += dxhat
      sumH += dxhat * h[k]!
      dgamma[j]! += g[k]! * h[k]!
      dbeta[j]! += g[k]!
    }
    const scale = cache.invStd[i]! / D
    for (let j = 0; j < D; j++) {
      const k = row + j
      dx.data[k] = scale * (D * g[k]! * gm[j]! - sum - h[k]! * sumH)
    }
  }
  const dgammaT = scratchUninit([D], dout.dtype)
  const dbetaT = scratchUninit([D], dout.dtype)
  dgammaT.data.set(dgamma)
  dbetaT.data.set(dbeta)
  return [dx, dgammaT, dbetaT]
}
