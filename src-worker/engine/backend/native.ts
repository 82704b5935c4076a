/**
 * The native backend: GEMM through a BLAS library (OpenBLAS, Accelerate) via the workbench_blas addon
 * (binding.gyp, src-worker/native/blas.cc). It is used only after a start-up self-test agrees with the
 * TypeScript kernels, and every failure becomes an `{ error }` the engine reports when it falls back.
 */
import {
  BIN_COUNT,
  CENTRE_BIN,
  EDGES,
  E_MAX,
  E_MIN,
  MANT_BITS,
  MIN_MAGNITUDE,
  SIDE_BINS,
  STATS_LENGTH,
  TABLE,
} from '../capture/bins'
import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { Rng } from '../rng'
import type { FloatArray } from '../tensor'
import {
  axpyTs,
  biasActTs,
  col2imTs,
  colSumsTs,
  gatherRowsTs,
  gatherU8Ts,
  histogramStatsTs,
  gemmTs,
  im2colTs,
  maxPool2x2BackwardTs,
  maxPool2x2Ts,
  reluBackwardTs,
  softmaxLossTs,
  sumSquaresTs,
} from './ts'
import type { Backend, BackendInfo } from './types'

type GemmArgs<T> = [boolean, boolean, number, number, number, number, T, number, T, number, number, T, number]

export interface CpuFeatures {
  avx: boolean
  avx2: boolean
  fma: boolean
  avx512f: boolean
  avx512bw: boolean
  avx512dq: boolean
  avx512vl: boolean
}

export interface NativeAddon {
  /** Loads BLAS on the first call in the process (later calls return what is loaded) and sets its threads. */
  init(opts: { coretype?: string; threads?: number; lib?: string }): {
    library: string
    core: string | null
    config: string | null
    threads: number | null
  }
  cpuFeatures(): CpuFeatures
  sgemm(...args: GemmArgs<Float32Array>): void
  dgemm(...args: GemmArgs<Float64Array>): void
  saxpy(n: number, alpha: number, x: Float32Array, y: Float32Array): void
  daxpy(n: number, alpha: number, x: Float64Array, y: Float64Array): void
  sumSquares: Backend['sumSquares']
  biasAct: Backend['biasAct']
  reluBackward: Backend['reluBackward']
  colSums: Backend['colSums']
  softmaxLoss: Backend['softmaxLoss']
  gatherU8(
    src: Uint8Array,
    D: number,
    indices: Int32Array,
    count: number,
    mean: Float32Array | null,
    out: Float32Array,
  ): void
  gatherRows: Backend['gatherRows']
  im2col: Backend['im2col']
  col2im: Backend['col2im']
  maxPool2x2: Backend['maxPool2x2']
  maxPool2x2Backward: Backend['maxPool2x2Backward']
  setHistogramBins(
    edges: Float64Array,
    table: Int16Array,
    eMin: number,
    eMax: number,
    mantBits: number,
    sideBins: number,
    centre: number,
    count: number,
    minMagnitude: number,
  ): void
  histogramStats: Backend['histogramStats']
}

const ADDON_FILE = join('build', 'Release', 'workbench_blas.node')

/**
 * Where the module runs from: src-worker/engine/backend under tsx/vitest, out/main once bundled by
 * electron-vite; the addon is found by walking up to the directory that holds build/Release.
 */
function startDir(): string {
  return typeof __dirname === 'string' ? __dirname : process.cwd()
}

function findAddon(): { path: string } | { error: string } {
  const forced = process.env['WORKBENCH_NATIVE_ADDON']
  if (forced) {
    const path = resolve(forced)
    return existsSync(path) ? { path } : { error: `WORKBENCH_NATIVE_ADDON=${forced}: file not found` }
  }
  for (const start of new Set([startDir(), process.cwd()])) {
    // Inside a packaged app.asar the .node must come from app.asar.unpacked (asarUnpack).
    let dir = start.replace(/app\.asar([\\/]|$)/, 'app.asar.unpacked$1')
    for (;;) {
      const path = join(dir, ADDON_FILE)
      if (existsSync(path)) return { path }
      const up = dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  return { error: `native addon not built (no ${ADDON_FILE} above ${startDir()}): run npm rebuild` }
}

let loaded: { addon: NativeAddon; path: string } | null = null

/** The addon, loaded once per thread (the addon is context-aware: each thread gets its own instance). */
export function loadAddon(): { addon: NativeAddon; path: string } | { error: string } {
  if (loaded) return loaded
  const found = findAddon()
  if ('error' in found) return found
  try {
    // process.dlopen rather than require: nothing for a bundler to follow, and never parsed as JS.
    const mod = { exports: {} }
    process.dlopen(mod, found.path)
    loaded = { addon: mod.exports as NativeAddon, path: found.path }
    return loaded
  } catch (e) {
    return {
      error: `native addon at ${found.path} failed to load: ${(e as Error).message} (run npm rebuild)`,
    }
  }
}

/**
 * The OpenBLAS kernel family for this CPU. We pick rather than let Debian's OpenBLAS 0.3.21 detect, because
 * it misdetects recent CPUs (as 'Prescott', ~3x slower) on some machines.
 */
export function pickCore(f: CpuFeatures): string | null {
  if (f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl) return 'SkylakeX'
  if (f.avx2 && f.fma) return 'Haswell'
  if (f.avx) return 'Sandybridge'
  return null
}

/**
 * The OpenBLAS DLL the Windows app ships (electron-builder.config.cjs: `<resources>/blas`, fetched by
 * src-main/packaging/openblas.ts), found from the addon's own path; in a checkout, where that script leaves it
 * (out/blas). Elsewhere the system's BLAS is used, so undefined.
 */
export function bundledBlasLib(
  addonPath: string,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  if (platform !== 'win32') return undefined
  const packaged = addonPath.match(/^(.*)[\\/]app\.asar\.unpacked[\\/]/)
  // The addon is <root>/build/Release/workbench_blas.node in a checkout.
  const dll = packaged
    ? join(packaged[1]!, 'blas', 'libopenblas.dll')
    : join(dirname(dirname(dirname(addonPath))), 'out', 'blas', 'libopenblas.dll')
  return exists(dll) ? dll : undefined
}

function blasThreads(): number | { error: string } {
  const raw = process.env['WORKBENCH_BLAS_THREADS']
  if (raw === undefined || raw === '') return 1
  const n = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1024) {
    return { error: `WORKBENCH_BLAS_THREADS must be an integer from 1 to 1024, got '${raw}'` }
  }
  return n
}

function blasHint(): string {
  if (process.env['WORKBENCH_BLAS_LIB']) return 'check WORKBENCH_BLAS_LIB, or unset it to use the default'
  if (process.platform === 'win32') {
    return 'the installer ships resources\\blas\\libopenblas.dll; from a checkout run `npx tsx src-main/packaging/openblas.ts`, put libopenblas.dll on PATH or set WORKBENCH_BLAS_LIB'
  }
  if (process.platform === 'darwin') return 'Accelerate should always exist; or set WORKBENCH_BLAS_LIB'
  return 'apt-get install libopenblas0 (or libopenblas-dev), or set WORKBENCH_BLAS_LIB=/path/to/libopenblas.so'
}

function libraryName(path: string, config: string | null): string {
  const m = config?.match(/^OpenBLAS\s+(\S+)/)
  if (m) return `OpenBLAS ${m[1]}`
  if (path.includes('Accelerate.framework')) return 'Accelerate'
  return basename(path)
}

function checkMatrix(
  name: string,
  ldName: string,
  X: FloatArray,
  rows: number,
  cols: number,
  ld: number,
): void {
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) {
    throw new RangeError(
      `gemm: ${ldName} = ${ld} must be an integer >= max(1, ${cols}), the columns of ${name}`,
    )
  }
  const need = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols
  if (X.length < need) {
    throw new RangeError(
      `gemm: ${name} has ${X.length} elements, needs ${need} for ${rows} x ${cols} with ${ldName} = ${ld}`,
    )
  }
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
    throw new RangeError(`gemm: ${name} must be a non-negative 32-bit integer, got ${v}`)
  }
}

/** The Backend.gemm contract checked in JS so errors name the argument before the addon re-checks. */
export const checkGemm: Backend['gemm'] = (tA, tB, M, N, K, _alpha, A, lda, B, ldb, _beta, C, ldc) => {
  checkDim('M', M)
  checkDim('N', N)
  checkDim('K', K)
  checkMatrix('A', 'lda', A, tA ? K : M, tA ? M : K, lda)
  checkMatrix('B', 'ldb', B, tB ? N : K, tB ? K : N, ldb)
  checkMatrix('C', 'ldc', C, M, N, ldc)
}

function nativeGemm(addon: NativeAddon): Backend['gemm'] {
  return (tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) => {
    checkGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
    if (A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) {
      addon.sgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
    } else if (A instanceof Float64Array && B instanceof Float64Array && C instanceof Float64Array) {
      addon.dgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
    } else {
      throw new TypeError(
        'gemm: A, B and C must all be Float32Array or all Float64Array, ' +
          `got ${arrayName(A)}, ${arrayName(B)}, ${arrayName(C)}`,
      )
    }
  }
}

function arrayName(x: unknown): string {
  return (x as object)?.constructor?.name ?? typeof x
}

function nativeAxpy(addon: NativeAddon): Backend['axpy'] {
  return (n, alpha, x, y) => {
    checkDim('n', n)
    if (x.length < n || y.length < n) {
      throw new RangeError(`axpy: x (${x.length}) and y (${y.length}) must hold at least n = ${n} elements`)
    }
    // Below a few thousand elements the call costs more than V8's own loop.
    if (n < 4096) axpyTs(n, alpha, x, y)
    else if (x instanceof Float32Array && y instanceof Float32Array) addon.saxpy(n, alpha, x, y)
    else if (x instanceof Float64Array && y instanceof Float64Array) addon.daxpy(n, alpha, x, y)
    else throw new TypeError(`axpy: x and y must share a type, got ${arrayName(x)} and ${arrayName(y)}`)
  }
}

function nativeGatherU8(addon: NativeAddon): Backend['gatherU8'] {
  return (src, D, indices, count, mean, out) => {
    // float64 rows (gradient checks on image data) are rare enough for the TypeScript loop.
    if (out instanceof Float32Array) addon.gatherU8(src, D, indices, count, mean, out)
    else gatherU8Ts(src, D, indices, count, mean, out)
  }
}

/**
 * Native vs TypeScript im2col and col2im on both dtypes, over strides and paddings that leave partial
 * windows; returns the first disagreement or null.
 */
export function selfTestIm2col(im2col: Backend['im2col'], col2im: Backend['col2im']): string | null {
  const rng = new Rng(5)
  const [C, H, W] = [2, 7, 6]
  for (const make of [(k: number) => new Float32Array(k), (k: number) => new Float64Array(k)]) {
    for (const [HH, WW, stride, pad] of [
      [3, 3, 1, 1],
      [3, 2, 2, 0],
      [4, 3, 3, 2],
      [1, 1, 1, 0],
    ] as const) {
      const Ho = Math.floor((H + 2 * pad - HH) / stride) + 1
      const Wo = Math.floor((W + 2 * pad - WW) / stride) + 1
      const x = make(C * H * W)
      for (let i = 0; i < x.length; i++) x[i] = rng.random() * 2 - 1
      const want = make(C * HH * WW * Ho * Wo).fill(7)
      const got = want.slice()
      im2colTs(x, C, H, W, HH, WW, stride, pad, want)
      im2col(x, C, H, W, HH, WW, stride, pad, got)
      const what = `${arrayName(x)} (${HH}x${WW}, stride ${stride}, pad ${pad})`
      for (let i = 0; i < want.length; i++) {
        if (got[i] !== want[i]) return `${what} im2col differs from the TypeScript kernel at ${i}`
      }
      const dxWant = x.slice()
      const dxGot = x.slice()
      col2imTs(want, C, H, W, HH, WW, stride, pad, dxWant)
      col2im(want, C, H, W, HH, WW, stride, pad, dxGot)
      for (let i = 0; i < dxWant.length; i++) {
        if (!(Math.abs(dxGot[i]! - dxWant[i]!) <= 1e-5 * (1 + Math.abs(dxWant[i]!)))) {
          return `${what} col2im differs from the TypeScript kernel at ${i}: ${dxGot[i]} vs ${dxWant[i]}`
        }
      }
    }
  }
  return null
}

/** Native vs TypeScript 2x2 max pooling, forward and backward, on odd sizes with ties and a NaN. */
export function selfTestPool(
  pool: Backend['maxPool2x2'],
  poolBackward: Backend['maxPool2x2Backward'],
): string | null {
  const rng = new Rng(9)
  const [planes, H, W] = [3, 5, 7]
  for (const make of [(k: number) => new Float32Array(k), (k: number) => new Float64Array(k)]) {
    // Few distinct values, so windows have ties.
    const x = make(planes * H * W).map(() => Math.floor(rng.random() * 4) - 2)
    x[9] = NaN
    const g = make(planes * 2 * 3).map(() => rng.random())
    const want = make(g.length)
    const got = make(g.length)
    maxPool2x2Ts(x, planes, H, W, want)
    pool(x, planes, H, W, got)
    const dxWant = make(x.length).fill(5)
    const dxGot = make(x.length).fill(5)
    maxPool2x2BackwardTs(x, g, planes, H, W, dxWant)
    poolBackward(x, g, planes, H, W, dxGot)
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i]))
        return `${arrayName(x)} maxPool2x2 differs at ${i}: ${got[i]} vs ${want[i]}`
    }
    for (let i = 0; i < dxWant.length; i++) {
      if (dxGot[i] !== dxWant[i]) {
        return `${arrayName(x)} maxPool2x2Backward differs at ${i}: ${dxGot[i]} vs ${dxWant[i]}`
      }
    }
  }
  return null
}

/** The fused kernels of a backend, as loadNativeBackend binds them. */
export type FusedKernels = Pick<
  Backend,
  'sumSquares' | 'biasAct' | 'reluBackward' | 'colSums' | 'softmaxLoss'
>

/**
 * Native vs TypeScript fused kernels on both dtypes, odd shapes (wider than the native column block),
 * in-place and separate outputs, a NaN through the relu; returns the first disagreement or null.
 */
export function selfTestFused(k: FusedKernels): string | null {
  const rng = new Rng(11)
  const [N, M] = [7, 301]
  for (const [make, tol] of [
    [(n: number) => new Float32Array(n), 2e-6],
    [(n: number) => new Float64Array(n), 1e-12],
  ] as const) {
    const rand = (n: number): FloatArray => make(n).map(() => rng.random() * 4 - 2)
    const kind = arrayName(make(0))
    const close = (a: number, b: number): boolean =>
      Object.is(a, b) || Math.abs(a - b) <= tol * (1 + Math.abs(b))
    const differs = (what: string, got: FloatArray, want: FloatArray): string | null => {
      for (let i = 0; i < want.length; i++) {
        if (!close(got[i]!, want[i]!)) return `${kind} ${what} differs at ${i}: ${got[i]} vs ${want[i]}`
      }
      return null
    }
    const x = rand(N * M)
    x[5] = NaN
    const b = rand(M)
    for (const relu of [true, false]) {
      for (const bias of [b, null]) {
        const want = make(N * M)
        biasActTs(x, bias, N, M, relu, want)
        const got = make(N * M)
        k.biasAct(x, bias, N, M, relu, got)
        const inPlace = x.slice()
        k.biasAct(inPlace, bias, N, M, relu, inPlace)
        const what = `biasAct (relu ${relu}, bias ${bias !== null})`
        const bad = differs(what, got, want) ?? differs(`${what} in place`, inPlace, want)
        if (bad) return bad
      }
    }
    const g = rand(N * M)
    const dbWant = make(M)
    const outWant = make(N * M)
    reluBackwardTs(g, x, N, M, outWant, dbWant)
    const dbGot = make(M)
    const outGot = g.slice()
    k.reluBackward(outGot, x, N, M, outGot, dbGot)
    const bad =
      differs('reluBackward', outGot, outWant) ??
      differs('reluBackward db', dbGot, dbWant) ??
      (() => {
        const sums = make(M)
        const want = make(M)
        colSumsTs(g, N, M, want)
        k.colSums(g, N, M, sums)
        return differs('colSums', sums, want)
      })()
    if (bad) return bad
    const ss = k.sumSquares(g, g.length - 3)
    const ssWant = sumSquaresTs(g, g.length - 3)
    if (!close(ss, ssWant)) return `${kind} sumSquares differs: ${ss} vs ${ssWant}`
    const C = 10
    const scores = rand(N * C).map((v) => v * 20)
    const y = Int32Array.from({ length: N }, (_, i) => (i * 3) % C)
    const dWant = make(N * C)
    const lossWant = softmaxLossTs(scores, y, N, C, dWant)
    const dGot = make(N * C)
    const loss = k.softmaxLoss(scores, y, N, C, dGot)
    if (!close(loss, lossWant)) return `${kind} softmaxLoss loss differs: ${loss} vs ${lossWant}`
    const badSoftmax = differs('softmaxLoss dx', dGot, dWant)
    if (badSoftmax) return badSoftmax
  }
  return null
}

/**
 * Native vs TypeScript capture statistics on both dtypes, with and without the relu, over values at and
 * around every bin edge, zeros of both signs, NaN and infinities: they must be equal, not close.
 */
export function selfTestHistogram(histogramStats: Backend['histogramStats']): string | null {
  const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1e-9, -1e-9, 3e5, -3e5, 1e30]
  for (let k = 0; k < EDGES.length - 1; k += 7) {
    const e = EDGES[k]!
    values.push(e, -e, e * (1 + 1e-15), e * (1 - 1e-15), -e * (1 - 1e-15))
  }
  const rng = new Rng(17)
  for (let i = 0; i < 200; i++) values.push((rng.random() - 0.5) * 10 ** (rng.random() * 10 - 7))
  for (const make of [(v: number[]) => Float32Array.from(v), (v: number[]) => Float64Array.from(v)]) {
    const x = make(values)
    for (const relu of [false, true]) {
      const want = new Float64Array(STATS_LENGTH)
      const got = new Float64Array(STATS_LENGTH)
      histogramStatsTs(x, relu, want)
      histogramStats(x, relu, got)
      for (let i = 0; i < STATS_LENGTH; i++) {
        if (!Object.is(got[i], want[i])) {
          return `${arrayName(x)} histogramStats (relu ${relu}) differs at ${i}: ${got[i]} vs ${want[i]}`
        }
      }
    }
  }
  return null
}

/** Native vs TypeScript row gathers on both dtypes, repeated and out-of-order rows; null when they agree. */
export function selfTestGatherRows(gatherRows: Backend['gatherRows']): string | null {
  const rng = new Rng(13)
  const [rows, D, count] = [9, 37, 12]
  for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
    const src = make(rows * D).map(() => rng.random())
    const idx = Int32Array.from({ length: count }, () => rng.int(rows))
    const want = make(count * D)
    const got = make(count * D)
    gatherRowsTs(src, D, idx, count, want)
    gatherRows(src, D, idx, count, got)
    for (let i = 0; i < want.length; i++) {
      if (got[i] !== want[i]) return `${arrayName(src)} gatherRows differs at ${i}: ${got[i]} vs ${want[i]}`
    }
  }
  return null
}

/** Native vs TypeScript axpy on both dtypes; returns the first disagreement or null. */
function selfTestAxpy(axpy: Backend['axpy']): string | null {
  const rng = new Rng(7)
  const n = 5000
  for (const [make, tol] of [
    [(k: number) => new Float32Array(k), 1e-6],
    [(k: number) => new Float64Array(k), 1e-14],
  ] as const) {
    const x = make(n)
    const want = make(n)
    for (let i = 0; i < n; i++) {
      x[i] = rng.random() * 2 - 1
      want[i] = rng.random() * 2 - 1
    }
    const got = want.slice()
    axpyTs(n, -0.37, x, want)
    axpy(n, -0.37, x, got)
    for (let i = 0; i < n; i++) {
      if (!(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)))) {
        return `${arrayName(x)} axpy differs from the TypeScript kernel at ${i}: ${got[i]} vs ${want[i]}`
      }
    }
  }
  return null
}

/**
 * Native vs TypeScript on odd shapes, every transpose, both dtypes, alpha/beta and padded strides.
 * Returns a description of the first disagreement, or null.
 */
export function selfTest(gemm: Backend['gemm']): string | null {
  const rng = new Rng(231)
  const [M, N, K] = [37, 29, 53]
  for (const [dtype, tol] of [
    ['float32', 1e-4],
    ['float64', 1e-10],
  ] as const) {
    const alloc = (n: number): FloatArray => {
      const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
      for (let i = 0; i < n; i++) a[i] = rng.random() * 2 - 1
      return a
    }
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const [ar, ac] = tA ? [K, M] : [M, K]
        const [br, bc] = tB ? [N, K] : [K, N]
        const [lda, ldb, ldc] = [ac + 3, bc + 1, N + 2]
        const A = alloc(ar * lda)
        const B = alloc(br * ldb)
        const want = alloc(M * ldc)
        const got = want.slice()
        gemmTs(tA, tB, M, N, K, 0.75, A, lda, B, ldb, -0.5, want, ldc)
        gemm(tA, tB, M, N, K, 0.75, A, lda, B, ldb, -0.5, got, ldc)
        let diff = 0
        let scale = 0
        for (let i = 0; i < want.length; i++) {
          diff = Math.max(diff, Math.abs(got[i]! - want[i]!))
          scale = Math.max(scale, Math.abs(want[i]!))
        }
        const rel = diff / scale
        // `!(rel < tol)` also catches NaN.
        if (!(rel < tol)) {
          return (
            `${dtype} gemm transA=${tA} transB=${tB} (${M}x${N}x${K}) differs from the TypeScript kernel ` +
            `(relative error ${rel.toExponential(2)}, tolerance ${tol})`
          )
        }
      }
    }
  }
  return null
}

/** Loads the addon and BLAS, picks the core and self-tests; never throws. Called once per thread. */
export function loadNativeBackend(): { backend: Backend; info: BackendInfo } | { error: string } {
  const threads = blasThreads()
  if (typeof threads !== 'number') return threads
  const loaded = loadAddon()
  if ('error' in loaded) return loaded
  const { addon } = loaded
  try {
    const envCore = process.env['OPENBLAS_CORETYPE'] || undefined
    const picked = envCore ?? pickCore(addon.cpuFeatures()) ?? undefined
    const lib = process.env['WORKBENCH_BLAS_LIB'] || bundledBlasLib(loaded.path)
    let res: ReturnType<NativeAddon['init']>
    try {
      res = addon.init({ coretype: picked, threads, lib })
    } catch (e) {
      return { error: `BLAS library could not be loaded: ${(e as Error).message} (${blasHint()})` }
    }
    // A core name OpenBLAS does not know (or a non-DYNAMIC_ARCH build) makes it detect on its own.
    const honoured = picked !== undefined && res.core?.toLowerCase() === picked.toLowerCase()
    const coreSource = res.core === null ? null : !honoured ? 'library' : envCore ? 'env' : 'cpu-features'
    const library = libraryName(res.library, res.config)
    const gemm = nativeGemm(addon)
    const axpy = nativeAxpy(addon)
    const gatherU8 = nativeGatherU8(addon)
    const gatherRows: Backend['gatherRows'] = (src, D, indices, count, out) => {
      // Mixed element types (a float64 gradient check reading float32 rows) take the TypeScript copy.
      if (src instanceof Float32Array === out instanceof Float32Array)
        addon.gatherRows(src, D, indices, count, out)
      else gatherRowsTs(src, D, indices, count, out)
    }
    const im2col: Backend['im2col'] = (x, C, H, W, HH, WW, stride, pad, cols) =>
      addon.im2col(x, C, H, W, HH, WW, stride, pad, cols)
    const col2im: Backend['col2im'] = (cols, C, H, W, HH, WW, stride, pad, dx) =>
      addon.col2im(cols, C, H, W, HH, WW, stride, pad, dx)
    const maxPool2x2: Backend['maxPool2x2'] = (x, planes, H, W, out) => addon.maxPool2x2(x, planes, H, W, out)
    const maxPool2x2Backward: Backend['maxPool2x2Backward'] = (x, dout, planes, H, W, dx) =>
      addon.maxPool2x2Backward(x, dout, planes, H, W, dx)
    // The bins as the TypeScript kernel has them (capture/bins.ts): the same doubles on both sides.
    addon.setHistogramBins(
      EDGES,
      TABLE,
      E_MIN,
      E_MAX,
      MANT_BITS,
      SIDE_BINS,
      CENTRE_BIN,
      BIN_COUNT,
      MIN_MAGNITUDE,
    )
    const histogramStats: Backend['histogramStats'] = (values, relu, out) =>
      addon.histogramStats(values, relu, out)
    const fusedKernels: FusedKernels = {
      sumSquares: (x, n) => addon.sumSquares(x, n),
      biasAct: (x, b, N, M, relu, out) => addon.biasAct(x, b, N, M, relu, out),
      reluBackward: (g, h, N, M, out, db) => addon.reluBackward(g, h, N, M, out, db),
      colSums: (g, N, M, db) => addon.colSums(g, N, M, db),
      softmaxLoss: (x, y, N, C, dx) => addon.softmaxLoss(x, y, N, C, dx),
    }
    const failure =
      selfTest(gemm) ??
      selfTestFused(fusedKernels) ??
      selfTestGatherRows(gatherRows) ??
      selfTestAxpy(axpy) ??
      selfTestIm2col(im2col, col2im) ??
      selfTestPool(maxPool2x2, maxPool2x2Backward) ??
      selfTestHistogram(histogramStats)
    if (failure) {
      // OpenBLAS fixes its core at load, so a bad core cannot be swapped out in this process.
      const core = res.core ? ` with core ${res.core} (${coreSource})` : ''
      return {
        error:
          `native self-test failed on ${library}${core}: ${failure}; ` +
          'set OPENBLAS_CORETYPE to another core and restart, or set WORKBENCH_BACKEND=ts',
      }
    }
    return {
      backend: {
        name: 'native',
        gemm,
        axpy,
        ...fusedKernels,
        gatherU8,
        gatherRows,
        im2col,
        col2im,
        maxPool2x2,
        maxPool2x2Backward,
        histogramStats,
      },
      info: {
        backend: 'native',
        library,
        core: res.core,
        coreSource,
        blasThreads: res.threads,
        fallbackReason: null,
      },
    }
  } catch (e) {
    return { error: `native backend failed: ${(e as Error).message}` }
  }
}
