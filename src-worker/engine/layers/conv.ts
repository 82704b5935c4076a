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
import { scratchData } from '../memory'
import { formatShape, scratch, scratchUninit, type Tensor } from '../tensor'
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

interface ConvDims {
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
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = checkConvArgs('convForward', x, w, b, convParam)
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
    for (let f = 0; f < F; f++) on.fill(bd[f]!, f * P, (f + 1) * P)
    gemm(false, false, F, P, K, 1, w.data, K, cols, P, 1, on, P)
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
  const { N, C, H, W, F, HH, WW, Ho, Wo, stride, pad } = checkDout('convBackward', dout, cache)
  const { x, w } = cache
  const { gemm, im2col, col2im } = getBackend()
  const K = C * HH * WW
  const P = Ho * Wo
  const imageSize = C * H * W
  const wantDx = options.dx !== false
  const dx = wantDx ? scratch(x.shape, x.dtype) : null
  const dw = scratch(w.shape, x.dtype)
  const db = scratchUninit([F], x.dtype)
  const cols = scratchUninit([K, P], x.dtype).data
  const dcols = wantDx ? scratchUninit([K, P], x.dtype).data : null
  const g = dout.data
  // Float64 sums (from the step's arena) so that 50 images x 1024 positions do not lose float32 precision.
  const sums = scratchData(F, 'float64', true)
  for (let n = 0; n < N; n++) {
    const gn = g.subarray(n * F * P, (n + 1) * F * P)
    im2col(x.data.subarray(n * imageSize, (n + 1) * imageSize), C, H, W, HH, WW, stride, pad, cols)
    gemm(false, true, F, K, P, 1, gn, P, cols, P, 1, dw.data, K)
    if (dx !== null && dcols !== null) {
      gemm(true, false, K, P, F, 1, w.data, K, gn, P, 0, dcols, P)
      col2im(dcols, C, H, W, HH, WW, stride, pad, dx.data.subarray(n * imageSize, (n + 1) * imageSize))
    }
    for (let f = 0; f < F; f++) {
      let s = 0
      const end = (f + 1) * P
      for (let k = f * P; k < end; k++) s += gn[k]!
      sums[f]! += s
    }
  }
  db.data.set(sums)
  return [dx, dw, db]
}
