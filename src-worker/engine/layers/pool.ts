/**
 * Max pooling over (N, C, H, W) activations, each channel separately: windows of poolHeight x poolWidth
 * every `stride` pixels, Ho = 1 + floor((H - poolHeight) / stride) (Wo likewise), no padding.
 * The backward pass routes each output's gradient to the first maximum of its window (row-major order,
 * as np.argmax); it finds that position again from the cached input instead of storing indices.
 * `maxPoolForwardNaive` / `maxPoolBackwardNaive` are the reference; `maxPoolForward` / `maxPoolBackward`
 * take a fast path for non-overlapping 2x2 windows (stride 2), the backend's maxPool2x2 kernels (native:
 * branch-free, where a JavaScript loop mispredicts on about half of the windows), and a general path
 * otherwise.
 */
import { getBackend } from '../backend'
import { assertDtype, assertKnownKeys, assertShape, assertTensor } from '../check'
import { formatShape, scratch, scratchUninit, type FloatArray, type Tensor } from '../tensor'

export interface PoolParam {
  /** Window height. Default 2. */
  poolHeight?: number
  /** Window width. Default 2. */
  poolWidth?: number
  /** Step between windows. Default 2. */
  stride?: number
}

export interface MaxPoolCache {
  /** x: (N, C, H, W), as given to the forward pass. */
  x: Tensor
  poolHeight: number
  poolWidth: number
  stride: number
}

interface PoolDims {
  N: number
  C: number
  H: number
  W: number
  ph: number
  pw: number
  stride: number
  Ho: number
  Wo: number
}

function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${fn}: poolParam.${name} must be a positive integer, got ${String(v)}`)
  }
  return v
}

function checkPoolArgs(fn: string, x: Tensor, poolParam: PoolParam): PoolDims {
  assertTensor(x, fn, 'x')
  assertShape(x, [-1, -1, -1, -1], fn, 'x')
  if (typeof poolParam !== 'object' || poolParam === null) {
    throw new TypeError(`${fn}: poolParam must be an object`)
  }
  assertKnownKeys(poolParam, ['poolHeight', 'poolWidth', 'stride'], fn, 'poolParam key')
  const ph = positiveInt(fn, 'poolHeight', poolParam.poolHeight ?? 2)
  const pw = positiveInt(fn, 'poolWidth', poolParam.poolWidth ?? 2)
  const stride = positiveInt(fn, 'stride', poolParam.stride ?? 2)
  const [N, C, H, W] = x.shape as [number, number, number, number]
  if (H < ph || W < pw) {
    throw new RangeError(`${fn}: a ${ph}x${pw} window does not fit x ${formatShape(x.shape)}`)
  }
  const Ho = Math.floor((H - ph) / stride) + 1
  const Wo = Math.floor((W - pw) / stride) + 1
  return { N, C, H, W, ph, pw, stride, Ho, Wo }
}

function checkDout(fn: string, dout: Tensor, cache: MaxPoolCache): PoolDims {
  const { poolHeight, poolWidth, stride } = cache
  const d = checkPoolArgs(fn, cache.x, { poolHeight, poolWidth, stride })
  assertTensor(dout, fn, 'dout')
  assertShape(dout, [d.N, d.C, d.Ho, d.Wo], fn, 'dout')
  assertDtype(dout, cache.x.dtype, fn, 'dout')
  return d
}

/** The reference: x: (N, C, H, W), {poolHeight, poolWidth, stride} -> out: (N, C, Ho, Wo). */
export function maxPoolForwardNaive(x: Tensor, poolParam: PoolParam): [Tensor, MaxPoolCache] {
  const { N, C, H, W, ph, pw, stride, Ho, Wo } = checkPoolArgs('maxPoolForwardNaive', x, poolParam)
  const out = scratchUninit([N, C, Ho, Wo], x.dtype)
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let m = -Infinity
          for (let di = 0; di < ph; di++) {
            for (let dj = 0; dj < pw; dj++) {
              const v = x.data[((n * C + c) * H + i * stride + di) * W + j * stride + dj]!
              // A NaN, once seen, stays (as np.max): a diverged weight reaches the loss's finiteness check.
              if (v > m || Number.isNaN(v)) m = v
            }
          }
          out.data[((n * C + c) * Ho + i) * Wo + j] = m
        }
      }
    }
  }
  return [out, { x, poolHeight: ph, poolWidth: pw, stride }]
}

/** The reference: dout: (N, C, Ho, Wo) -> dx: (N, C, H, W), dout routed to each window's first maximum. */
export function maxPoolBackwardNaive(dout: Tensor, cache: MaxPoolCache): Tensor {
  const { N, C, H, W, ph, pw, stride, Ho, Wo } = checkDout('maxPoolBackwardNaive', dout, cache)
  const x = cache.x
  const dx = scratch(x.shape, x.dtype)
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let best = -1
          let m = -Infinity
          for (let di = 0; di < ph; di++) {
            for (let dj = 0; dj < pw; dj++) {
              const k = ((n * C + c) * H + i * stride + di) * W + j * stride + dj
              if (best < 0 || x.data[k]! > m) {
                best = k
                m = x.data[k]!
              }
            }
          }
          dx.data[best]! += dout.data[((n * C + c) * Ho + i) * Wo + j]!
        }
      }
    }
  }
  return dx
}

/**
 * Flat index (into x) of the first maximum of the window at (oy, ox) of the plane starting at `base`
 * (row-major order); x's values are compared with `>`, so the first of equal maxima wins.
 */
function argmaxWindow(xd: FloatArray, base: number, W: number, oy: number, ox: number, d: PoolDims): number {
  const y0 = oy * d.stride
  const x0 = ox * d.stride
  let best = base + y0 * W + x0
  let m = xd[best]!
  for (let di = 0; di < d.ph; di++) {
    const row = base + (y0 + di) * W + x0
    for (let dj = 0; dj < d.pw; dj++) {
      if (xd[row + dj]! > m) {
        m = xd[row + dj]!
        best = row + dj
      }
    }
  }
  return best
}

/** x: (N, C, H, W), {poolHeight, poolWidth, stride} -> out: (N, C, Ho, Wo). */
export function maxPoolForward(x: Tensor, poolParam: PoolParam): [Tensor, MaxPoolCache] {
  const d = checkPoolArgs('maxPoolForward', x, poolParam)
  const { N, C, H, W, Ho, Wo } = d
  const out = scratchUninit([N, C, Ho, Wo], x.dtype)
  const xd = x.data
  const o = out.data
  const planes = N * C
  if (d.ph === 2 && d.pw === 2 && d.stride === 2) {
    // Non-overlapping 2x2 windows: the backend's kernel.
    getBackend().maxPool2x2(xd, planes, H, W, o)
  } else {
    for (let p = 0; p < planes; p++) {
      const base = p * H * W
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let m = -Infinity
          for (let di = 0; di < d.ph; di++) {
            const row = base + (i * d.stride + di) * W + j * d.stride
            for (let dj = 0; dj < d.pw; dj++) {
              const v = xd[row + dj]!
              if (v > m || v !== v) m = v
            }
          }
          o[(p * Ho + i) * Wo + j] = m
        }
      }
    }
  }
  return [out, { x, poolHeight: d.ph, poolWidth: d.pw, stride: d.stride }]
}

/** dout: (N, C, Ho, Wo) -> dx: (N, C, H, W), each gradient to the first maximum of its window. */
export function maxPoolBackward(dout: Tensor, cache: MaxPoolCache): Tensor {
  const d = checkDout('maxPoolBackward', dout, cache)
  const { N, C, H, W, Ho, Wo } = d
  const xd = cache.x.data
  const g = dout.data
  const planes = N * C
  if (d.ph === 2 && d.pw === 2 && d.stride === 2) {
    // Non-overlapping 2x2 windows: the backend's kernel writes every element of dx.
    const dx = scratchUninit(cache.x.shape, cache.x.dtype)
    getBackend().maxPool2x2Backward(xd, g, planes, H, W, dx.data)
    return dx
  }
  const dx = scratch(cache.x.shape, cache.x.dtype)
  const o = dx.data
  for (let p = 0; p < planes; p++) {
    const base = p * H * W
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) o[argmaxWindow(xd, base, W, i, j, d)]! += g[(p * Ho + i) * Wo + j]!
    }
  }
  return dx
}
