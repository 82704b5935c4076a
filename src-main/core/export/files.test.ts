import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import { exportRuns } from './files'
import type { ReportSource } from './report/build'
import { MAX_MOSAICS } from './report/render'

function record(i: number): RunRecord {
  return {
    id: `20261126-000000-r${String(i).padStart(5, '0')}`,
    config: { name: `run ${i}` } as RunRecord['config'],
    status: 'queued',
    sweepId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 0, numIterations: 10, epoch: 0, numEpochs: 1 },
    result: null,
    error: null,
    environment: null,
    checkpointEpoch: 0,
  }
}

describe('exportRuns reads what the format needs', () => {
  // A 200-run export used to hold every run's mosaic in memory (CIFAR first layers: 1.6 MB each).
  it('reads no mosaic for csv or json, and only the mosaics a report shows', async () => {
    const mosaicsRead: string[] = []
    const runs = Array.from({ length: MAX_MOSAICS + 6 }, (_, i) => record(i))
    const source: ReportSource = {
      getRun: async (id) => runs.find((r) => r.id === id)!,
      // No log on disk: a run with no metrics yet.
      readMetricsWith: (_id, reader) => reader(join(tmpdir(), 'wb-no-such-run', 'metrics.jsonl')),
      mosaic: async (id): Promise<MosaicData | null> => {
        mosaicsRead.push(id)
        return null
      },
    }
    const ids = runs.map((r) => r.id)
    for (const format of ['csv', 'json'] as const) {
      const file = await exportRuns(source, ids, format)
      expect(file.records).toHaveLength(runs.length)
    }
    expect(mosaicsRead).toEqual([])
    const html = await exportRuns(source, ids, 'html')
    expect(mosaicsRead).toEqual(ids.slice(0, MAX_MOSAICS))
    expect(new TextDecoder().decode(html.bytes)).toContain(`${MAX_MOSAICS} of ${runs.length}`)
  })
})
