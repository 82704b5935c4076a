/** Dataset summaries as main sends them, from the few facts a test cares about. */
import type { DatasetJob, DatasetSummary } from '../../../src-shared/contract'
import { defaultSplits } from '../../../src-shared/splits'

export function datasetSummary(
  d: Pick<DatasetSummary, 'name' | 'source' | 'format' | 'counts' | 'shape' | 'classNames' | 'sizeOnDisk'> &
    Partial<DatasetSummary>,
): DatasetSummary {
  return {
    splits: defaultSplits({
      format: d.format,
      train: { count: d.counts.train },
      test: { count: d.counts.test },
    }),
    path: `/data/datasets/${d.name}`,
    origin: `/data/datasets/${d.name}`,
    reference: d.source === 'builtin',
    readOnly: d.source === 'builtin',
    available: true,
    addedAt: '2026-11-26T12:00:00.000Z',
    ...d,
  }
}

export function datasetJob(j: Partial<DatasetJob> & Pick<DatasetJob, 'id' | 'kind' | 'name'>): DatasetJob {
  return {
    target: j.name,
    mode: null,
    status: 'running',
    phase: 'start',
    file: null,
    bytes: 0,
    total: null,
    fraction: 0,
    speed: null,
    etaSeconds: null,
    resumedBytes: 0,
    retry: null,
    startedAt: '2026-11-26T12:00:00.000Z',
    finishedAt: null,
    error: null,
    ...j,
  }
}
