/**
 * Batch normalization (Ioffe & Szegedy 2015) over the batch axis of (N, D) activations. Training uses
 * the minibatch's mean and variance and updates running statistics in `bnParam`; test mode uses those.
 */
import { assertDtype, assertKnownKeys, assertNumberInRange, assertShape, assertTensor } from '../check'
import { scratchUninit, zeros, type FloatArray, type Tensor } from '../tensor'

export interface BnParam {
  mode: 'train' | 'test'
  /** Added to the variance for numerical stability. Default 1e-5. */
  eps?: number
  /** Weight of the old running statistics: running = momentum * running + (1 - momentum) * batch. 0.9. */
  momentum?: number
  /** (D,), created as zeros on the first forward pass and updated in place in train mode. */
  runningMean?: Tensor
  /** (D,), created as zeros on the first forward pass and updated in place in train mode. */
  runningVar?: Tensor
}

const BN_KEYS = ['mode', 'eps', 'momentum', 'runningMean', 'runningVar'] as const

export interface BatchnormCache {
  mode: 'train' | 'test'
  /** xhat: (N, D), the normalised input. */
  xhat: Tensor
  /** gamma: (D,) */
  gamma: Tensor
  /** invStd: (D,), 1 / sqrt(var + eps) of the statistics used. */
  invStd: FloatArray
}

/** Validates gamma/beta/param for both normalisations; returns [N, D]. */
export function checkNormArgs(
  fn: string,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  param: object | undefined,
  keys: readonly string[],
  paramName: string,
): [number, number] {
  assertTensor(x, fn, 'x')
  assertTensor(gamma, fn, 'gamma')
  assertTensor(beta, fn, 'beta')
  assertShape(x, [-1, -1], fn, 'x')
  const [N, D] = x.shape as [number, number]
  assertShape(gamma, [D], fn, 'gamma')
  assertShape(beta, [D], fn, 'beta')
  assertDtype(gamma, x.dtype, fn, 'gamma')
  assertDtype(beta, x.dtype, fn, 'beta')
  if (typeof param !== 'object' || param === null) {
    throw new TypeError(
      `${fn}: ${paramName} must be an object, got ${param === null ? 'null' : typeof param}`,
    )
  }
  assertKnownKeys(param, keys, fn, `${paramName} key`)
  const eps = (param as { eps?: number }).eps
  if (eps !== undefined) assertNumberInRange(eps, 0, Infinity, fn, `${paramName}.eps`, { loOpen: true })
  return [N, D]
}

/**
 * x: (N, D), gamma: (D,), beta: (D,), bnParam -> out: (N, D) = gamma * xhat + beta.
 * In train mode needs N >= 1 and updates bnParam.runningMean / runningVar.
 */
export function batchnormForward(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  bnParam: BnParam,
): [Tensor, BatchnormCache] {
  const fn = 'batchnormForward'
  const [N, D] = checkNormArgs(fn, x, gamma, beta, bnParam, BN_KEYS, 'bnParam')
  const { mode } = bnParam
  if (mode !== 'train' && mode !== 'test') {
    throw new TypeError(`${fn}: bnParam.mode must be 'train' or 'test', got ${String(mode)}`)
  }
  const eps = bnParam.eps ?? 1e-5
  const momentum = bnParam.momentum ?? 0.9
  assertNumberInRange(momentum, 0, 1, fn, 'bnParam.momentum')
  // Running statistics live as long as the model, so they are never scratch buffers.
  bnParam.runningMean ??= zeros([D], x.dtype)
  bnParam.runningVar ??= zeros([D], x.dtype)
  assertShape(bnParam.runningMean, [D], fn, 'bnParam.runningMean')
  assertShape(bnParam.runningVar, [D], fn, 'bnParam.runningVar')
  const rm = bnParam.runningMean.data
  const rv = bnParam.runningVar.data

  const xd = x.data
  const mean = new Float64Array(D)
  const variance = new Float64Array(D)
  if (mode === 'train') {
    if (N < 1) throw new RangeError(`${fn}: x must have at least one row in train mode, got (0, ${D})`)
    for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) mean[j]! += xd[i * D + j]!
    for (let j = 0; j < D; j++) mean[j]! /= N
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < D; j++) {
        const c = xd[i * D + j]! - mean[j]!
        variance[j]! += c * c
      }
    }
    for (let j = 0; j < D; j++) {
      variance[j]! /= N
      rm[j] = momentum * rm[j]! + (1 - momentum) * mean[j]!
      rv[j] = momentum * rv[j]! + (1 - momentum) * variance[j]!
    }
  } else {
    mean.set(rm)
    variance.set(rv)
  }
  const invStd = new Float64Array(D)
  for (let j = 0; j < D; j++) invStd[j] = 1 / Math.sqrt(variance[j]! + eps)

  const xhat = scratchUninit([N, D], x.dtype)
  const out = scratchUninit([N, D], x.dtype)
  const h = xhat.data
  const o = out.data
  const g = gamma.data
  const b = beta.data
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < D; j++) {
      const k = i * D + j
      const v = (xd[k]! - mean[j]!) * invStd[j]!
      h[k] = v
      o[k] = g[j]! * v + b[j]!
    }
  }
  return [out, { mode, xhat, gamma, invStd }]
}

function paramGrads(dout: Tensor, cache: BatchnormCache, N: number, D: number): [Tensor, Tensor] {
  const dgamma = scratchUninit([D], dout.dtype)
  const dbeta = scratchUninit([D], dout.dtype)
  const g = dout.data
  const h = cache.xhat.data
  for (let j = 0; j < D; j++) {
    let sg = 0
    let sb = 0
    for (let i = 0; i < N; i++) {
      const k = i * D + j
      sg += g[k]! * h[k]!
      sb += g[k]!
    }
    dgamma.data[j] = sg
    dbeta.data[j] = sb
  }
  return [dgamma, dbeta]
}

function checkBackward(fn: string, dout: Tensor, cache: BatchnormCache): [number, number] {
  assertTensor(dout, fn, 'dout')
  assertShape(dout, cache.xhat.shape, fn, 'dout')
  assertDtype(dout, cache.xhat.dtype, fn, 'dout')
  return cache.xhat.shape as [number, number]
}

/** Test mode: the statistics are constants, so dx is just dout * gamma / std. */
function testModeDx(dout: Tensor, cache: BatchnormCache, N: number, D: number): Tensor {
  const dx = scratchUninit([N, D], dout.dtype)
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < D; j++)
      dx.data[i * D + j] = dout.data[i * D + j]! * cache.gamma.data[j]! * cache.invStd[j]!
  }
  return dx
}

/**
 * dout: (N, D) -> [dx: (N, D), dgamma: (D,), dbeta: (D,)], following the computational graph step by
 * step: through xhat, then the variance, then the mean.
 */
export function batchnormBackward(dout: Tensor, cache: BatchnormCache): [Tensor, Tensor, Tensor] {
  const [N, D] = checkBackward('batchnormBackward', dout, cache)
  const [dgamma, dbeta] = paramGrads(dout, cache, N, D)
  if (cache.mode === 'test') return [testModeDx(dout, cache, N, D), dgamma, dbeta]
  const g = dout.data
  const h = cache.xhat.data
  const gm = cache.gamma.data
  const dx = scratchUninit([N, D], dout.dtype)
  for (let j = 0; j < D; j++) {
    const s = cache.invStd[j]!
    // xc = xhat / s; var + eps = 1 / s^2.
    let dvar = 0
    let dmuDirect = 0
    let sumXc = 0
    for (let i = 0; i < N; i++) {
      const k = i * D + j
      const dxhat = g[k]! * gm[j]!
      const xc = h[k]! / s
      dvar += dxhat * xc * -0.5 * s * s * s
      dmuDirect += -dxhat * s
      sumXc += xc
    }
    const dmu = dmuDirect + (dvar * -2 * sumXc) / N
    for (let i = 0; i < N; i++) {
      const k = i * D + j
      const dxhat = g[k]! * gm[j]!
      const xc = h[k]! / s
      dx.data[k] = dxhat * s + (dvar * 2 * xc) / N + dmu / N
    }
  }
  return [dx, dgamma, dbeta]
}

/**
 * dout: (N, D) -> [dx, dgamma, dbeta], the simplified closed form:
 *   dx = (gamma * invStd / N) * (N * dout - sum(dout) - xhat * sum(dout * xhat))
 */
export function batchnormBackwardAlt(dout: Tensor, cache: BatchnormCache): [Tensor, Tensor, Tensor] {
  const [N, D] = checkBackward('batchnormBackwardAlt', dout, cache)
  const [dgamma, dbeta] = paramGrads(dout, cache, N, D)
  if (cache.mode === 'test') return [testModeDx(dout, cache, N, D), dgamma, dbeta]
  const g = dout.data
  const h = cache.xhat.data
  const dx = scratchUninit([N, D], dout.dtype)
  for (let j = 0; j < D; j++) {
    const scale = (cache.gamma.data[j]! * cache.invStd[j]!) / N
    const sb = dbeta.data[j]!
    const sg = dgamma.data[j]!
    for (let i = 0; i < N; i++) {
      const k = i * D + j
      dx.data[k] = scale * (N * g[k]! - sb - h[k]! * sg)
    }
  }
  return [dx, dgamma, dbeta]
}
