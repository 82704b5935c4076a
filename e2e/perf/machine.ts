/** The machine a benchmark ran on, for its printout: CPU model, SIMD extensions, cores. */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'

/** The vector extensions worth naming, in the order people read them. */
const SIMD = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_bf16',
  'amx_tile',
  'neon',
  'asimd',
  'sve',
]

export function simdFlags(): string[] {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(info)
    const flags = new Set((line?.[1] ?? '').split(/\s+/))
    return SIMD.filter((f) => flags.has(f))
  } catch {
    // Not Linux: Node does not say; the model name usually does.
    return []
  }
}

export function machineLine(): string {
  const cpu = cpus()
  const simd = simdFlags()
  return (
    `machine: ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${cpu.length} cores` +
    `, SIMD ${simd.length > 0 ? simd.join(' ') : 'unknown'}; node ${process.version}`
  )
}
