/**
 * Which OpenBLAS cores (kernel families) a CPU can run, from its instruction-set flags. Forcing a core
 * whose instructions the CPU lacks (OPENBLAS_CORETYPE=SkylakeX on an AVX2-only Zen 3) kills the process
 * with an illegal instruction, so gemm-cores.ts times only the cores listed here.
 */
import { readFileSync } from 'node:fs'

/** Flags (as /proc/cpuinfo spells them) each core's kernels execute. */
export const CORE_NEEDS: Record<string, readonly string[]> = {
  Cooperlake: ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_bf16'],
  SkylakeX: ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'],
  Zen: ['avx2', 'fma'],
  Haswell: ['avx2', 'fma'],
  Sandybridge: ['avx'],
  Prescott: ['pni'],
}

/** The CPU's flags: /proc/cpuinfo on Linux, else the addon's feature probe (which knows fewer). */
export function cpuFlags(fallback: () => Record<string, boolean>): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'))
    if (line) return new Set(line.split(':')[1]!.trim().split(/\s+/))
  } catch {
    // Not Linux: ask the addon below.
  }
  const f = fallback()
  // The probe covers SSE3 implicitly: every x86-64 CPU with AVX has it.
  return new Set([...Object.keys(f).filter((k) => f[k]), ...(f['avx'] ? ['pni'] : [])])
}

/** The cores of `wanted` this CPU can run, and the others with the flags they would need. */
export function runnableCores(
  wanted: readonly string[],
  flags: ReadonlySet<string>,
): { run: string[]; skip: { core: string; missing: string[] }[] } {
  const run: string[] = []
  const skip: { core: string; missing: string[] }[] = []
  for (const core of wanted) {
    const needs = CORE_NEEDS[core]
    // 'unset', 'pick' and unknown names: OpenBLAS or the engine decides, which is always safe to run.
    const missing = needs ? needs.filter((f) => !flags.has(f)) : []
    if (missing.length) skip.push({ core, missing })
    else run.push(core)
  }
  return { run, skip }
}

/** The widest vector instruction set each core's kernels use. */
const CORE_ISA: Record<string, 'avx512' | 'avx2' | 'avx' | 'sse'> = {
  Cooperlake: 'avx512',
  SkylakeX: 'avx512',
  Zen: 'avx2',
  Haswell: 'avx2',
  Sandybridge: 'avx',
  Prescott: 'sse',
}

/**
 * The environment that holds numpy and PyTorch to the instruction set of the engine's OpenBLAS core, so
 * that a core pinned below the CPU's own (Haswell on an AVX-512 CPU) measures what a CPU without the wider
 * instructions would: oneDNN's convolutions, ATen's kernels and numpy's ufunc loops otherwise pick AVX-512
 * from the CPU flags whatever the BLAS core. Empty when the core is unknown or already the widest.
 * (numpy 1.x and 2.x name their dispatch targets differently; each ignores the other's names.)
 */
export function referenceIsaEnv(core: string | null | undefined): Record<string, string> {
  const isa = core ? CORE_ISA[core] : undefined
  if (isa === undefined || isa === 'avx512') return {}
  const numpyAvx512 =
    'X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_KNL AVX512_KNM'
  const byIsa = {
    avx2: { onednn: 'AVX2', aten: 'avx2', numpy: numpyAvx512 },
    avx: { onednn: 'AVX', aten: 'default', numpy: `X86_V3 AVX2 FMA3 F16C ${numpyAvx512}` },
    sse: { onednn: 'SSE41', aten: 'default', numpy: `X86_V3 AVX AVX2 FMA3 F16C ${numpyAvx512}` },
  }[isa]
  return {
    ONEDNN_MAX_CPU_ISA: byIsa.onednn,
    DNNL_MAX_CPU_ISA: byIsa.onednn,
    ATEN_CPU_CAPABILITY: byIsa.aten,
    NPY_DISABLE_CPU_FEATURES: byIsa.numpy,
  }
}
