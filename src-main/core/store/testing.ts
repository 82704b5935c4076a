/** Test and bench helpers for the run store: temp folders and plausible run records. Not used in production. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseRunConfig, type RunConfig } from '../../../src-shared/config'
import type { RunRecord } from '../../../src-shared/runs'
import { newRunId } from './ids'

export async function makeTempDir(
  prefix = 'wb-store-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

const parsed = parseRunConfig({
  name: 'test run',
  dataset: { name: 'fashion-mnist' },
  model: { kind: 'fc' },
  seed: 1,
})
if (!parsed.ok) throw new Error('the test config does not validate')
const CONFIG: RunConfig = parsed.value

export function makeRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: newRunId(),
    config: structuredClone(CONFIG),
    status: 'queued',
    sweepId: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 0, numIterations: 4900, epoch: 0, numEpochs: 10 },
    result: null,
    error: null,
    environment: null,
    checkpointEpoch: 0,
    ...overrides,
  }
}
