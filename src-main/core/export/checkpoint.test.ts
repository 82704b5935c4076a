import { describe, expect, it } from 'vitest'
import type { RunRecord, RunStatus } from '../../../src-shared/runs'
import { exportCheckpoint, type CheckpointSource } from './checkpoint'

const ID = '20261126-000000-nockpt'

function source(status: RunStatus): CheckpointSource {
  const record = { id: ID, status, config: { name: 'n' } } as RunRecord
  return {
    getRun: async () => record,
    store: { readCheckpoint: async () => null },
  } as unknown as CheckpointSource
}

describe('exportCheckpoint without saved parameters', () => {
  it('says when a live run will have some: its epoch checkpoints, not "after the first epoch"', async () => {
    // A running run can be thousands of epochs in with no checkpoint yet (they are at most every 5 s).
    const e = await exportCheckpoint(source('running'), ID).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'not-found' })
    expect((e as Error).message).toBe(
      `run ${ID} has no saved parameters yet (status running): they are saved with its epoch ` +
        'checkpoints, at the end of an epoch and at most every 5 seconds',
    )
  })

  it('does not promise any to a run that has ended', async () => {
    for (const status of ['failed', 'cancelled'] as const) {
      const e = await exportCheckpoint(source(status), ID).catch((x: unknown) => x)
      expect((e as Error).message).toBe(
        `run ${ID} has no saved parameters (status ${status}): it stopped before its first epoch checkpoint`,
      )
    }
  })
})
