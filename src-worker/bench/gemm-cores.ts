/**
 * Single-thread sgemm timings of the benchmark net's GEMMs under each OpenBLAS core. OpenBLAS fixes its
 * core when it loads, so every core runs in its own node process.
 *   npx tsx src-worker/bench/gemm-cores.ts [rounds] [core...]
 * Core 'unset' lets OpenBLAS detect; 'pick' is what the engine chooses (loadNativeBackend); 'ts' times the
 * TypeScript kernel for scale. Only cores this CPU can execute are tried (cores.ts); a child that dies
 * anyway (an illegal instruction the flags did not predict) is reported as not supported here.
 */
import { spawnSync } from 'node:child_process'
import { gemmTs } from '../engine/backend/ts'
import { loadAddon, loadNativeBackend } from '../engine/backend/native'
import type { Backend } from '../engine/backend/types'
import { cpuFlags, runnableCores } from './cores'

// The forward pass and the two backward GEMMs of a 3072 -> 100 affine layer on a batch of 200.
const SHAPES = [
  { name: 'X.W      200x3072x100', tA: false, tB: false, M: 200, N: 100, K: 3072 },
  { name: 'Xt.dout  3072x200x100', tA: true, tB: false, M: 3072, N: 100, K: 200 },
  { name: 'dout.Wt  200x100x3072', tA: false, tB: true, M: 200, N: 3072, K: 100 },
]

/** The gemm to time: the raw addon (so no core is picked for 'unset'), the engine's backend, or TS. */
function gemmFor(mode: string): { gemm: Backend['gemm']; core: string | null } | { error: string } {
  if (mode === 'ts') return { gemm: gemmTs, core: null }
  if (mode === 'pick') {
    const r = loadNativeBackend()
    return 'error' in r ? r : { gemm: r.backend.gemm, core: r.info.core }
  }
  const a = loadAddon()
  if ('error' in a) return a
  const info = a.addon.init({ threads: 1 })
  return { gemm: a.addon.sgemm as Backend['gemm'], core: info.core }
}

function child(mode: string): void {
  const r = gemmFor(mode)
  if ('error' in r) {
    console.log(JSON.stringify({ error: r.error }))
    return
  }
  const reps = mode === 'ts' ? 5 : 60
  const times: Record<string, number> = {}
  for (const s of SHAPES) {
    const [ar, ac] = s.tA ? [s.K, s.M] : [s.M, s.K]
    const [br, bc] = s.tB ? [s.N, s.K] : [s.K, s.N]
    const A = Float32Array.from({ length: ar * ac }, () => Math.random() - 0.5)
    const B = Float32Array.from({ length: br * bc }, () => Math.random() - 0.5)
    const C = new Float32Array(s.M * s.N)
    const run = (): void => r.gemm(s.tA, s.tB, s.M, s.N, s.K, 1, A, ac, B, bc, 0, C, s.N)
    for (let i = 0; i < reps / 6; i++) run()
    const samples: number[] = []
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint()
      run()
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    samples.sort((a, b) => a - b)
    times[s.name] = samples[samples.length >> 1]!
  }
  console.log(JSON.stringify({ core: r.core, times }))
}

function parent(): void {
  const rounds = Number(process.argv[2] ?? 3)
  const wanted =
    process.argv.length > 3
      ? process.argv.slice(3)
      : ['Haswell', 'SkylakeX', 'Cooperlake', 'Zen', 'Sandybridge', 'Prescott', 'unset', 'pick']
  const addon = loadAddon()
  const flags = cpuFlags(() => ('error' in addon ? {} : { ...addon.addon.cpuFeatures() }))
  const { run: cores, skip } = runnableCores(wanted, flags)
  for (const s of skip)
    console.log(`${s.core}: not supported by this CPU (no ${s.missing.join(', ')}), skipped`)
  const best = new Map<string, { core: string; times: Record<string, number> }>()
  const failed = new Map<string, string>()
  // Rounds interleave the cores so that load from other processes hits them all alike; keep the best.
  for (let round = 0; round < rounds; round++) {
    for (const core of cores) {
      if (failed.has(core)) continue
      const env: NodeJS.ProcessEnv = { ...process.env, WORKBENCH_BLAS_THREADS: '1' }
      if (core === 'unset' || core === 'pick') delete env['OPENBLAS_CORETYPE']
      else env['OPENBLAS_CORETYPE'] = core
      const mode = core === 'pick' || core === 'ts' ? core : 'raw'
      const out = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', mode], {
        env,
        encoding: 'utf8',
      })
      const line = out.stdout.trim().split('\n').pop() ?? ''
      let res: { error?: string; core?: string; times?: Record<string, number> }
      try {
        res = JSON.parse(line) as typeof res
      } catch {
        const why = out.signal
          ? `killed by ${out.signal}`
          : `exited ${out.status}: ${out.stderr.trim().split('\n').pop()}`
        failed.set(core, `not supported here (${why})`)
        continue
      }
      if (res.error || !res.times) {
        failed.set(core, `failed: ${res.error ?? 'no timings'}`)
        continue
      }
      const prev = best.get(core)
      if (!prev) best.set(core, { core: res.core ?? '-', times: res.times })
      else for (const [k, v] of Object.entries(res.times)) prev.times[k] = Math.min(prev.times[k]!, v)
    }
  }
  console.log(
    `median ms per call, best of ${rounds} rounds, 1 BLAS thread, OPENBLAS_L2_SIZE=${process.env['OPENBLAS_L2_SIZE'] ?? 'unset'}`,
  )
  console.log(
    ['OPENBLAS_CORETYPE'.padEnd(18), 'core in use'.padEnd(12), ...SHAPES.map((s) => s.name)].join('  '),
  )
  for (const [core, { core: used, times }] of best) {
    const cols = SHAPES.map((s) => times[s.name]!.toFixed(3).padStart(s.name.length))
    console.log([core.padEnd(18), used.padEnd(12), ...cols].join('  '))
  }
  for (const [core, why] of failed) console.log(`${core.padEnd(18)} ${why}`)
}

const at = process.argv.indexOf('--child')
if (at >= 0) child(process.argv[at + 1] ?? 'raw')
else parent()
