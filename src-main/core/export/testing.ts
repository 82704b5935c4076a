/** For the export tests: real runs, trained on the embedded dataset in about a second, and tool checks. */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunRecord } from '../../../src-shared/runs'
import { Workbench } from '../workbench'

export function tinyRun(name: string, overrides: { hiddenDim?: number; numEpochs?: number } = {}) {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
    model: { kind: 'two-layer', hiddenDim: overrides.hiddenDim ?? 20 },
    solver: { numEpochs: overrides.numEpochs ?? 2, batchSize: 100 },
  }
}

export interface TrainedRuns {
  dir: string
  wb: Workbench
  runs: RunRecord[]
  close(): Promise<void>
}

/** Trains `configs` to completion in a fresh data folder; close() removes it. */
export async function trainRuns(configs: unknown[], prefix = 'wb-export-'): Promise<TrainedRuns> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const wb = await Workbench.open({ dataDir: dir, maxThreads: 2 })
  const created = []
  for (const c of configs) created.push(await wb.createRun(c))
  await wb.whenIdle()
  const runs = await Promise.all(created.map((r) => wb.getRun(r.id)))
  for (const r of runs) if (r.status !== 'completed') throw new Error(`run ${r.config.name} is ${r.status}`)
  return {
    dir,
    wb,
    runs,
    close: async () => {
      await wb.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The browser the tests print and inspect reports with (as CI installs it), or why there is none. */
export const CHROMIUM = process.env['WORKBENCH_CHROMIUM'] || '/usr/bin/chromium'
export const NO_CHROMIUM = existsSync(CHROMIUM)
  ? null
  : `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set WORKBENCH_CHROMIUM)`
export const NO_PDFTOPPM =
  spawnSync('pdftoppm', ['-v']).error === undefined
    ? null
    : 'skipped: pdftoppm not found (apt-get install poppler-utils)'
