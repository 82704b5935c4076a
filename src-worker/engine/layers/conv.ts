/**
 * Convolutional layer (CS231n assignment 2, ConvolutionalNetworks): F filters of shape (C, HH, WW) slide
 * over zero-padded images. `convForwardNaive` / `convBackwardNaive` are the loop-by-loop reference;
 * `convForward` / `convBackward` compute the same through im2col and GEMM on the backend, one image at a
 * time, so the im2col buffer (C HH WW x Ho Wo) stays in cache and the GEMM writes straight into the
 * (N, F, Ho, Wo) output without a transpose. Output sizes use floor, as numpy's // and PyTorch:
 *   Ho = 1 + floor((H + 2 pad - HH) / stride), Wo = 1 + floor((W + 2 pad - WW) / stride)
 */
import { getBackend } from '../backend'
import { convOutSize } from '../backend/ts'
import { assertDtype, assertKnownKeys, assertShape, assertTensor } from '../check'
import { formatShape, scratch, scratchUninit, type FloatArray, type Tensor } from '../tensor'
import type { BackwardOptions } from './affine'

export interface ConvParam {
  /** Step between neighbouring windows, in pixels, along both axes. Default 1. */
  stride?: number
  /** Zeros added on every side of the input. Default 0. */
  pad?: number
}

export interface ConvCache {
  /** x: (N, C, H, W), as given to the forward pass. */
  x: Tensor
  /** w: (F, C, HH, WW) */
  w: Tensor
  /** b: (F,) */
  b: Tensor
  stride: number
  pad: number
}

export interface ConvDims {
  N: number
  C: number
  H: number
  W: number
  F: number
  HH: number
  WW: number
  Ho: number
  Wo: number
  stride: number
  pad: number
}

function checkConvArgs(fn: string, x: Tensor, w: Tensor, b: Tensor, convParam: ConvParam): ConvDims {
  assertTensor(x, fn, 'x')
  assertTensor(w, fn, 'w')
  assertTensor(b, fn, 'b')
  assertShape(x, [-1, -1, -1, -1], fn, 'x')
  assertShape(w, [-1, -1, -1, -1], fn, 'w')
  const [N, C, H, W] = x.shape as [number, number, number, number]
  const [F, Cw, HH, WW] = w.shape as [number, number, number, number]
  if (Cw !== C) {
    throw new RangeError(
      `${fn}: x ${formatShape(x.shape)} has ${C} channels but w ${formatShape(w.shape)} expects ${Cw}`,
    )
  }
  assertShape(b, [F], fn, 'b')
  assertDtype(w, x.dtype, fn, 'w')
  assertDtype(b, x.dtype, fn, 'b')
  if (typeof convParam !== 'object' || convParam === null) {
    throw new TypeError(`${fn}: convParam must be an object`)
  }
  assertKnownKeys(convParam, ['stride', 'pad'], fn, 'convParam key')
  const { stride = 1, pad = 0 } = convParam
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`${fn}: convParam.stride must be a positive integer, got ${String(stride)}`)
  }
  if (!Number.isInteger(pad) || pad < 0) {
    throw new RangeError(`${fn}: convParam.pad must be a non-negative integer, got ${String(pad)}`)
  }
  if (HH < 1 || WW < 1 || H + 2 * pad < HH || W + 2 * pad < WW) {
    throw new RangeError(
      `${fn}: a ${HH}x${WW} filter does not fit the ${H}x${W} input with pad ${pad} (x ${formatShape(x.shape)})`,
    )
  }
  const Ho = convOutSize(H, HH, stride, pad)
  const Wo = convOutSize(W, WW, stride, pad)
  return { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad }
}

function checkDout(fn: string, dout: Tensor, cache: ConvCache): ConvDims {
  const d = checkConvArgs(fn, cache.x, cache.w, cache.b, { stride: cache.stride, pad: cache.pad })
  assertTensor(dout, fn, 'dout')
  assertShape(dout, [d.N, d.F, d.Ho, d.Wo], fn, 'dout')
  assertDtype(dout, cache.x.dtype, fn, 'dout')
  return d
}

/**
 * The reference: x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), {stride, pad} -> out: (N, F, Ho, Wo),
 *   out[n, f, i, j] = b[f] + sum_{c, di, dj} xpad[n, c, i stride + di, j stride + dj] w[f, c, di, dj]
 */
export function convForwardNaive(x: Tensor, w: Tensor, b: Tensor, convParam: ConvParam): [Tensor, ConvCache] {
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = checkConvArgs('convForwardNaive', x, w, b, convParam)
  const out = scratchUninit([N, F, Ho, Wo], x.dtype)
  const xd = x.data
  const wd = w.data
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let s = b.data[f]!
          for (let c = 0; c < C; c++) {
            for (let di = 0; di < HH; di++) {
              const y = i * stride + di - pad
              if (y < 0 || y >= H) continue
              for (let dj = 0; dj < WW; dj++) {
                const xx = j * stride + dj - pad
                if (xx < 0 || xx >= W) continue
                s += xd[((n * C + c) * H + y) * W + xx]! * wd[((f * C + c) * HH + di) * WW + dj]!
              }
            }
          }
          out.data[((n * F + f) * Ho + i) * Wo + j] = s
        }
      }
    }
  }
  return [out, { x, w, b, stride, pad }]
}

/** The reference: dout: (N, F, Ho, Wo) -> [dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,)]. */
export function convBackwardNaive(dout: Tensor, cache: ConvCache): [Tensor, Tensor, Tensor] {
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = checkDout('convBackwardNaive', dout, cache)
  const { x, w } = cache
  const dx = scratch(x.shape, x.dtype)
  const dw = scratch(w.shape, x.dtype)
  const db = scratch([F], x.dtype)
  const xd = x.data
  const wd = w.data
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const g = dout.data[((n * F + f) * Ho + i) * Wo + j]!
          db.data[f]! += g
          for (let c = 0; c < C; c++) {
            for (let di = 0; di < HH; di++) {
              const y = i * stride + di - pad
              if (y < 0 || y >= H) continue
              for (let dj = 0; dj < WW; dj++) {
                const xx = j * stride + dj - pad
                if (xx < 0 || xx >= W) continue
                const xi = ((n * C + c) * H + y) * W + xx
                const wi = ((f * C + c) * HH + di) * WW + dj
                dx.data[xi]! += g * wd[wi]!
                dw.data[wi]! += g * xd[xi]!
              }
            }
          }
        }
      }
    }
  }
  return [dx, dw, db]
}

/**
 * x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), {stride, pad} -> out: (N, F, Ho, Wo), via im2col + GEMM:
 * per image, out_n (F, Ho Wo) = w (F, C HH WW) @ cols_n (C HH WW, Ho Wo) + b.
 */
export function convForward(x: Tensor, w: Tensor, b: Tensor, convParam: ConvParam): [Tensor, ConvCache] {
  return convForwardWith(x, w, b, convParam, true, 'convForward')
}

/**
 * convForward without adding b (the cache still holds it): for callers that add the bias later, where it
 * touches fewer values (after a max pool, which commutes with adding a per-channel constant).
 */
export function convForwardUnbiased(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
  fn: string,
): [Tensor, ConvCache] {
  return convForwardWith(x, w, b, convParam, false, fn)
}

function convForwardWith(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
  bias: boolean,
  fn: string,
): [Tensor, ConvCache] {
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = checkConvArgs(fn, x, w, b, convParam)
  const { gemm, im2col } = getBackend()
  const K = C * HH * WW
  const P = Ho * Wo
  const imageSize = C * H * W
  const out = scratchUninit([N, F, Ho, Wo], x.dtype)
  const cols = scratchUninit([K, P], x.dtype).data
  const bd = b.data
  for (let n = 0; n < N; n++) {
    im2col(x.data.subarray(n * imageSize, (n + 1) * imageSize), C, H, W, HH, WW, stride, pad, cols)
    const on = out.data.subarray(n * F * P, (n + 1) * F * P)
    if (bias) for (let f = 0; f < F; f++) on.fill(bd[f]!, f * P, (f + 1) * P)
    gemm(false, false, F, P, K, 1, w.data, K, cols, P, bias ? 1 : 0, on, P)
  }
  return [out, { x, w, b, stride, pad }]
}

/**
 * dout: (N, F, Ho, Wo) -> [dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,)], per image:
 *   dw += dout_n (F, Ho Wo) @ cols_n^T,   dx_n = col2im(w^T @ dout_n)
 * (cols_n recomputed from x, which is cheaper than keeping N of them). `{ dx: false }` skips dx (null).
 */
export function convBackward(dout: Tensor, cache: ConvCache): [Tensor, Tensor, Tensor]
export function convBackward(
  dout: Tensor,
  cache: ConvCache,
  options: BackwardOptions,
): [Tensor | null, Tensor, Tensor]
export function convBackward(
  dout: Tensor,
  cache: ConvCache,
  options: BackwardOptions = {},
): [Tensor | null, Tensor, Tensor] {
  const d = checkDout('convBackward', dout, cache)
  const { N, F, Ho, Wo } = d
  const P = Ho * Wo
  // db[f] = sum over images and positions: column sums of dout as (N, F P), then folded over positions.
  const sums = scratchUninit([F * P], cache.x.dtype).data
  getBackend().colSums(dout.data, N, F * P, sums)
  const db = scratchUninit([F], cache.x.dtype)
  foldPlanes(sums, F, P, db.data)
  const { dx, dwT } = convWeightGrads(dout, cache, d, options.dx !== false)
  return [dx, transposeInto(dwT, d.C * d.HH * d.WW, F, scratchUninit(cache.w.shape, cache.x.dtype)), db]
}

/** out[f] = sum_p v[f P + p], in float64: per-channel totals of per-position sums. */
export function foldPlanes(v: FloatArray, F: number, P: number, out: FloatArray): void {
  for (let f = 0; f < F; f++) {
    let s = 0
    for (let p = f * P; p < (f + 1) * P; p++) s += v[p]!
    out[f] = s
  }
}

/** t: (R, C) row-major -> out: (C, R). */
export function transposeInto(t: FloatArray, R: number, C: number, out: Tensor): Tensor {
  const o = out.data
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) o[c * R + r] = t[r * C + c]!
  return out
}

/**
 * The weight gradient of a convolution, transposed: dwT (C HH WW, F) = sum_n cols_n @ dout_n^T, and dx
 * when wanted. Transposed because BLAS runs this product faster with the long K x F output than as
 * dout_n @ cols_n^T (F, C HH WW); the caller transposes the small result once, or folds it into an update.
 */
export function convWeightGrads(
  dout: Tensor,
  cache: ConvCache,
  d: ConvDims,
  wantDx: boolean,
): { dx: Tensor | null; dwT: FloatArray } {
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = d
  const { x, w } = cache
  const { gemm, im2col, col2im } = getBackend()
  const K = C * HH * WW
  const P = Ho * Wo
  const imageSize = C * H * W
  const dx = wantDx ? scratch(x.shape, x.dtype) : null
  const dwT = scratchUninit([K, F], x.dtype).data
  const cols = scratchUninit([K, P], x.dtype).data
  const dcols = wantDx ? scratchUninit([K, P], x.dtype).data : null
  const g = dout.data
  for (let n = 0; n < N; n++) {
    const gn = g.subarray(n * F * P, (n + 1) * F * P)
    im2col(x.data.subarray(n * imageSize, (n + 1) * imageSize), C, H, W, HH, WW, stride, pad, cols)
    gemm(false, true, K, F, P, 1, cols, P, gn, P, n === 0 ? 0 : 1, dwT, F)
    if (dx !== null && dcols !== null) {
      gemm(true, false, K, P, F, 1, w.data, K, gn, P, 0, dcols, P)
      col2im(dcols, C, H, W, HH, WW, stride, pad, dx.data.subarray(n * imageSize, (n + 1) * imageSize))
    }
  }
  if (N === 0) dwT.fill(0)
  return { dx, dwT }
}

/** The shapes of a convolution's backward pass, checked (for callers of convWeightGrads). */
export function convDims(fn: string, dout: Tensor, cache: ConvCache): ConvDims {
  return checkDout(fn, dout, cache)
}
