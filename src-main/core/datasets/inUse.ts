/**
 * Whether runs still need a dataset: a queued or running run (of any process on the data folder) would
 * fail at its first step without it. Runs that finished keep their records whatever happens to it.
 */
import type { RunListEntry } from '../../../src-shared/corruptRun'
import { DatasetsError } from './errors'

export async function assertDatasetUnused(
  listRuns: () => Promise<RunListEntry[]>,
  name: string,
): Promise<void> {
  const waiting = (await listRuns()).filter(
    (r) =>
      r.status !== 'corrupt' &&
      (r.status === 'queued' || r.status === 'running') &&
      r.config.dataset.name === name,
  )
  if (waiting.length === 0) return
  const ids = waiting.map((r) => r.id)
  throw new DatasetsError(
    'in-use',
    `name: '${name}' is needed by ${ids.length} queued or running run(s) (${ids.slice(0, 5).join(', ')}` +
      `${ids.length > 5 ? ', ...' : ''}): cancel them or let them finish first`,
    { field: 'name' },
  )
}
