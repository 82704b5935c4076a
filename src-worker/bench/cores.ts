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
