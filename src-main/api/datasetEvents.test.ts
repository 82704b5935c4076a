import { describe, expect, it } from 'vitest'
import type { DatasetJob } from '../../src-shared/contract'
import type { DatasetJobs, DatasetJobsEvent } from '../core/datasets/jobs'
import type { Workbench } from '../core/workbench'
import { forwardEvents, type ApiEvent } from './events'

describe('forwardEvents and dataset jobs', () => {
  it('sends each job change and each change of the list, and stops when closed', () => {
    const listeners = new Set<(e: DatasetJobsEvent) => void>()
    const datasetJobs = {
      subscribe(l: (e: DatasetJobsEvent) => void) {
        listeners.add(l)
        return () => listeners.delete(l)
      },
    } as unknown as DatasetJobs
    const source = { subscribe: () => () => undefined, datasetJobs } as unknown as Workbench
    const sent: ApiEvent[] = []
    const fwd = forwardEvents(source, (e) => sent.push(e))
    const job = { id: 'download-a-abcdef', name: 'mnist', status: 'running' } as DatasetJob
    for (const l of listeners) l({ type: 'job', job })
    for (const l of listeners) l({ type: 'datasets', change: { change: 'added', name: 'mnist' } })
    expect(sent).toEqual([
      { event: 'datasetJob', payload: job },
      { event: 'datasets', payload: { change: 'added', name: 'mnist' } },
    ])
    fwd.close()
    expect(listeners.size).toBe(0)
  })
})
