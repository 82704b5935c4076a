/**
 * A data folder of many completed runs for the experiments-table spec, written straight as run folders
 * (`runs/<id>/run.json`, what the store lists) in parallel: 20,000 go in seconds, where the store's
 * create (an fsync per run) would take minutes. Each run's settings follow from its index, so the spec
 * knows how many runs any filter matches. The first record is checked against the store's schema.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseRunRecord } from '../../src-shared/runSchema'
import type { RunRecord } from '../../src-shared/runs'

export const LRS = [1e-4, 5e-4, 1e-3, 5e-3] as const
export const REGS = [0, 0.01, 0.2] as const

export interface TableRun {
  index: number
  name: string
  lr: number
  reg: number
  tags: string[]
  conv: boolean
  bestValAcc: number
}

export function tableRun(index: number): TableRun {
  return {
    index,
    name: `table run ${String(index).padStart(5, '0')}`,
    lr: LRS[index % LRS.length]!,
    reg: REGS[index % REGS.length]!,
    tags: index % 5 === 0 ? ['baseline'] : ['table'],
    conv: index % 7 === 0,
    bestValAcc: 0.3 + (index % 61) / 100,
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Ids sort by creation: one second apart from 2026-01-01 00:00:00 UTC. */
function idOf(index: number, at: Date): string {
  const day = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`
  return `${day}-${time}-${index.toString(36).padStart(6, '0')}`
}

/** The run.json of a seeded run (also what e2e/perf/table.bench.ts filters and sorts in memory). */
export function tableRecord(run: TableRun): RunRecord {
  const created = new Date(Date.UTC(2026, 0, 1) + run.index * 1000)
  const finished = new Date(created.getTime() + 30_000 + (run.index % 90) * 1000)
  const model = run.conv
    ? {
        kind: 'three-layer-conv' as const,
        numFilters: 16,
        filterSize: 5,
        hiddenDim: 100,
        weightScale: 1e-3,
        reg: run.reg,
      }
    : { kind: 'two-layer' as const, hiddenDim: 50 + (run.index % 4) * 50, weightScale: 1e-3, reg: run.reg }
  return {
    id: idOf(run.index, created),
    config: {
      version: 1,
      name: run.name,
      tags: run.tags,
      notes: run.index % 11 === 0 ? `note for ${run.index}` : '',
      dataset: { name: 'fashion-mnist-small' },
      model,
      solver: {
        updateRule: run.index % 2 === 0 ? 'sgd' : 'adam',
        optimConfig: { learningRate: run.lr },
        lrDecay: 0.95,
        batchSize: 100,
        numEpochs: 5,
        numTrainSamples: 1000,
        numValSamples: null,
      },
      seed: run.index,
    },
    status: 'completed',
    sweepId: null,
    createdAt: created.toISOString(),
    startedAt: created.toISOString(),
    finishedAt: finished.toISOString(),
    activeMs: finished.getTime() - created.getTime(),
    attemptStartedAt: null,
    updatedAt: finished.toISOString(),
    progress: { iteration: 250, numIterations: 250, epoch: 5, numEpochs: 5 },
    result: {
      bestValAcc: run.bestValAcc,
      finalTrainAcc: Math.min(1, run.bestValAcc + 0.05),
      finalValAcc: run.bestValAcc - 0.01,
      valAcc: run.bestValAcc,
      testAcc: run.bestValAcc - 0.02,
      confusion: [],
      classNames: [],
    },
    error: null,
    environment: null,
    checkpointEpoch: 5,
    owner: null,
  }
}

/** Writes `count` runs into `dataDir`; returns them in index order (the table shows the last first). */
export async function seedTable(dataDir: string, count: number): Promise<TableRun[]> {
  const runs = Array.from({ length: count }, (_, i) => tableRun(i))
  const first = parseRunRecord(tableRecord(runs[0]!))
  if (!first.ok) throw new Error(`the seeded record does not validate: ${JSON.stringify(first.errors)}`)
  const runsDir = join(dataDir, 'runs')
  await mkdir(runsDir, { recursive: true })
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < runs.length) {
      const rec = tableRecord(runs[next++]!)
      const dir = join(runsDir, rec.id)
      await mkdir(dir)
      await writeFile(join(dir, 'run.json'), JSON.stringify(rec, null, 2))
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  return runs
}
