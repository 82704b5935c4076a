/**
 * What a benchmark ran on, printed at the top of every table: the CPU model and the vector-instruction
 * flags that decide which BLAS kernels it can run, the BLAS library and core in use, and the load average
 * (a shared machine's other work is the main source of noise in the figures).
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { backendInfo } from '../engine'

const FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'amx_tile']

/** The CPU's flags from /proc/cpuinfo (Linux), filtered to those that pick BLAS kernels. */
export function vectorFlags(): string[] {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const line = info.split('\n').find((l) => l.startsWith('flags'))
    const flags = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/))
    return FLAGS.filter((f) => flags.has(f))
  } catch {
    return []
  }
}

export function machineLines(): string[] {
  const info = backendInfo()
  const blas =
    info.backend === 'native'
      ? `${info.library}, core ${info.core} (${info.coreSource}), ${info.blasThreads} thread(s)`
      : `none (TypeScript kernels: ${info.fallbackReason})`
  const flags = vectorFlags()
  return [
    `machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    `CPU flags: ${flags.length ? flags.join(' ') : 'unknown (no /proc/cpuinfo)'}`,
    `engine BLAS: ${blas}`,
  ]
}
