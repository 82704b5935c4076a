/**
 * Pure-TypeScript kernels: the definition of what each kernel computes. Loops are ordered so the inner
 * loop walks contiguous memory (i-k-j for the plain case); correctness first, then this much speed.
 */
import { HIST, STAT, STATS_LENGTH, binAt } from '../capture/bins'
import type { FloatArray } from '../tensor'
import type { Backend } from './types'

export const gemmTs: Backend['gemm'] = (transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) => {
  for (let i = 0; i < M; i++) {
    const ci = i * ldc
    if (beta === 0) for (let j = 0; j < N; j++) C[ci + j] = 0
    else if (beta !== 1) for (let j = 0; j < N; j++) C[ci + j]! *= beta
  }
  if (alpha === 0 || K === 0) return
  // Accumulate in a float64 row so float32 results do not depend on summation rounding more than BLAS's.
  const acc = new Float64Array(N)
  for (let i = 0; i < M; i++) {
    acc.fill(0)
    for (let k = 0; k < K; k++) {
      const a = transA ? A[k * lda + i]! : A[i * lda + k]!
      if (a === 0) continue
      if (transB) {
        for (let j = 0; j < N; j++) acc[j]! += a * B[j * ldb + k]!
      } else {
        const bk = k * ldb
        for (let j = 0; j < N; j++) acc[j]! += a * B[bk + j]!
      }
    }
    const ci = i * ldc
    for (let j = 0; j < N; j++) C[ci + j]! += alpha * acc[j]!
  }
}

export function axpyTs(n: number, alpha: number, x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < n; i++) y[i]! += alpha * x[i]!
}

export function sumSquaresTs(x: FloatArray, n: number): number {
  let s = 0
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!
  return s
}

export const biasActTs: Backend['biasAct'] = (x, b, N, M, relu, out) => {
  for (let i = 0; i < N; i++) {
    const r = i * M
    for (let j = 0; j < M; j++) {
      // Rounded to the array's type before the relu, as the native kernel adds in the element type.
      const v = b === null ? x[r + j]! : x[r + j]! + b[j]!
      out[r + j] = v
      if (relu && out[r + j]! < 0) out[r + j] = 0
    }
  }
}

export const reluBackwardTs: Backend['reluBackward'] = (g, h, N, M, out, db) => {
  const acc = db === null ? null : new Float64Array(M)
  for (let i = 0; i < N; i++) {
    const r = i * M
    for (let j = 0; j < M; j++) {
      const v = h[r + j]! > 0 ? g[r + j]! : 0
      out[r + j] = v
      if (acc) acc[j]! += v
    }
  }
  if (db && acc) db.set(acc)
}

export const colSumsTs: Backend['colSums'] = (g, N, M, db) => {
  const acc = new Float64Array(M)
  for (let i = 0; i < N; i++) {
    const r = i * M
    for (let j = 0; j < M; j++) acc[j]! += g[r + j]!
  }
  db.set(acc)
}

export const softmaxLossTs: Backend['softmaxLoss'] = (x, y, N, C, dx) => {
  let loss = 0
  for (let i = 0; i < N; i++) {
    const row = i * C
    let max = -Infinity
    for (let j = 0; j < C; j++) if (x[row + j]! > max) max = x[row + j]!
    let sum = 0
    for (let j = 0; j < C; j++) sum += Math.exp(x[row + j]! - max)
    const logSum = Math.log(sum)
    const yi = y[i]!
    loss -= x[row + yi]! - max - logSum
    for (let j = 0; j < C; j++) dx[row + j] = Math.exp(x[row + j]! - max - logSum) / N
    dx[row + yi]! -= 1 / N
  }
  return loss / N
}

export function gatherU8Ts(
  src: Uint8Array,
  D: number,
  indices: Int32Array,
  count: number,
  mean: Float32Array | null,
  out: FloatArray,
): void {
  for (let b = 0; b < count; b++) {
    const s = indices[b]! * D
    const o = b * D
    if (mean === null) for (let j = 0; j < D; j++) out[o + j] = src[s + j]!
    // The difference of a byte and a float32 is exact in a double; storing rounds it once, as C does.
    else for (let j = 0; j < D; j++) out[o + j] = src[s + j]! - mean[j]!
  }
}

export const gatherRowsTs: Backend['gatherRows'] = (src, D, indices, count, out) => {
  for (let b = 0; b < count; b++) {
    const s = indices[b]! * D
    out.set(src.subarray(s, s + D), b * D)
  }
}

/** Output size of a convolution or pooling window along one axis (floor, as numpy's // and PyTorch). */
export function convOutSize(size: number, window: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - window) / stride) + 1
}

export const im2colTs: Backend['im2col'] = (x, C, H, W, HH, WW, stride, pad, cols) => {
  const Ho = convOutSize(H, HH, stride, pad)
  const Wo = convOutSize(W, WW, stride, pad)
  const P = Ho * Wo
  let row = 0
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++, row++) {
        for (let oy = 0; oy < Ho; oy++) {
          const o = row * P + oy * Wo
          const y = oy * stride + i - pad
          if (y < 0 || y >= H) {
            cols.fill(0, o, o + Wo)
            continue
          }
          const xr = (c * H + y) * W
          for (let ox = 0; ox < Wo; ox++) {
            const xx = ox * stride + j - pad
            cols[o + ox] = xx >= 0 && xx < W ? x[xr + xx]! : 0
          }
        }
      }
    }
  }
}

export const col2imTs: Backend['col2im'] = (cols, C, H, W, HH, WW, stride, pad, dx) => {
  const Ho = convOutSize(H, HH, stride, pad)
  const Wo = convOutSize(W, WW, stride, pad)
  const P = Ho * Wo
  let row = 0
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++, row++) {
        for (let oy = 0; oy < Ho; oy++) {
          const y = oy * stride + i - pad
          if (y < 0 || y >= H) continue
          const o = row * P + oy * Wo
          const xr = (c * H + y) * W
          for (let ox = 0; ox < Wo; ox++) {
            const xx = ox * stride + j - pad
            if (xx >= 0 && xx < W) dx[xr + xx]! += cols[o + ox]!
          }
        }
      }
    }
  }
}

export const maxPool2x2Ts: Backend['maxPool2x2'] = (x, planes, H, W, out) => {
  const Ho = H >> 1
  const Wo = W >> 1
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Ho; i++) {
      let r0 = p * H * W + 2 * i * W
      let r1 = r0 + W
      let k = (p * Ho + i) * Wo
      for (let j = 0; j < Wo; j++, r0 += 2, r1 += 2, k++) {
        // `v > m || v !== v`: the larger value, and a NaN once seen stays (as np.max).
        let m = x[r0]!
        const b = x[r0 + 1]!
        const c = x[r1]!
        const e = x[r1 + 1]!
        if (b > m || b !== b) m = b
        if (c > m || c !== c) m = c
        if (e > m || e !== e) m = e
        out[k] = m
      }
    }
  }
}

export const maxPool2x2BackwardTs: Backend['maxPool2x2Backward'] = (x, dout, planes, H, W, dx) => {
  const Ho = H >> 1
  const Wo = W >> 1
  dx.fill(0, 0, planes * H * W)
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Ho; i++) {
      let r0 = p * H * W + 2 * i * W
      let r1 = r0 + W
      let k = (p * Ho + i) * Wo
      for (let j = 0; j < Wo; j++, r0 += 2, r1 += 2, k++) {
        // First maximum in row-major order (strict > keeps the earlier one on ties).
        let best = r0
        let m = x[r0]!
        if (x[r0 + 1]! > m) {
          m = x[r0 + 1]!
          best = r0 + 1
        }
        if (x[r1]! > m) {
          m = x[r1]!
          best = r1
        }
        if (x[r1 + 1]! > m) best = r1 + 1
        dx[best] = dout[k]!
      }
    }
  }
}

/**
 * tensorStats' sums and histogram (src-shared/layerStats.ts) in two passes, the specification's
 * arithmetic in its order, so the results are equal: out = [n, nonFinite, sum, min, max, ss, counts...]
 * (capture/bins.ts: STAT, HIST). With relu, the values are max(x, 0) (NaN stays NaN).
 */
export const histogramStatsTs: Backend['histogramStats'] = (values, relu, out) => {
  const u32 =
    values instanceof Float32Array ? new Uint32Array(values.buffer, values.byteOffset, values.length) : null
  out.fill(0, HIST, STATS_LENGTH)
  let n = 0
  let nonFinite = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  const len = values.length
  for (let i = 0; i < len; i++) {
    let x = values[i]!
    if (relu && x < 0) x = 0
    if (x - x !== 0) {
      // NaN or +-Infinity: Infinity - Infinity is NaN.
      nonFinite++
      continue
    }
    n++
    sum += x
    if (x < min) min = x
    if (x > max) max = x
    out[HIST + binAt(x, u32, i)]! += 1
  }
  const mean = n > 0 ? sum / n : 0
  let ss = 0
  for (let i = 0; i < len; i++) {
    let x = values[i]!
    if (relu && x < 0) x = 0
    if (x - x === 0) ss += (x - mean) * (x - mean)
  }
  out[STAT.n] = n
  out[STAT.nonFinite] = nonFinite
  out[STAT.sum] = sum
  out[STAT.min] = min
  out[STAT.max] = max
  out[STAT.ss] = ss
}

export const tsBackend: Backend = {
  name: 'ts',
  gemm: gemmTs,
  histogramStats: histogramStatsTs,
  axpy: axpyTs,
  sumSquares: sumSquaresTs,
  biasAct: biasActTs,
  reluBackward: reluBackwardTs,
  colSums: colSumsTs,
  softmaxLoss: softmaxLossTs,
  gatherU8: gatherU8Ts,
  gatherRows: gatherRowsTs,
  im2col: im2colTs,
  col2im: col2imTs,
  maxPool2x2: maxPool2x2Ts,
  maxPool2x2Backward: maxPool2x2BackwardTs,
}
