import { describe, expect, it, vi } from 'vitest'
import type { ClusterInfo } from '../../src-shared/contract'
import type { WorkerMachine } from '../../src-shared/runs'
import type { ClusterStatus } from '../core/executors/redis'
import type { Workbench } from '../core/workbench'
import { clusterInfo, NO_CLUSTER, subscribeCluster, trainOnArg } from './clusterHandlers'
import { toApiError } from './errors'
import { forwardEvents, type ApiEvent } from './events'
import { createHandlers } from './handlers'

const machine = (host: string, concurrency: number): WorkerMachine => ({
  id: `${host}-1-abcd`,
  host,
  cpu: 'AMD EPYC',
  cores: 8,
  blasCore: 'Zen',
  freeMemBytes: 1e9,
  totalMemBytes: 2e9,
  concurrency,
})

function status(over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    state: 'ready',
    message: null,
    address: 'redis://:***@10.0.0.5:6379',
    queue: 'workbench',
    workers: [machine('lab-1', 4), machine('lab-2', 2)],
    waiting: 1,
    training: 3,
    ...over,
  }
}

/** A cluster executor's status side, driven by the test. */
function fakeCluster(initial: ClusterStatus) {
  let s = initial
  const listeners = new Set<(s: ClusterStatus) => void>()
  return {
    cluster: {
      name: 'cluster',
      status: () => s,
      subscribe: (l: (s: ClusterStatus) => void) => {
        listeners.add(l)
        return () => listeners.delete(l)
      },
    },
    set(next: ClusterStatus) {
      s = next
      for (const l of listeners) l(s)
    },
    listeners,
  }
}

function spyWorkbench(cluster: unknown) {
  const createRun = vi.fn(async () => ({}))
  const createSweep = vi.fn(async () => ({ sweepId: 's', runs: [] }))
  const wb = { createRun, createSweep, cluster, subscribe: () => () => undefined } as unknown as Workbench
  return { wb, createRun, createSweep }
}

const ctx = { mode: 'browser' as const, dataDir: '/tmp/x', examplesDir: '/tmp/e' }

describe('cluster.status', () => {
  it('says no cluster is configured when there is none', async () => {
    const h = createHandlers(spyWorkbench(null).wb, ctx)
    expect(await h['cluster.status']()).toEqual({ configured: false })
  })

  it('shows the masked address, the state and the workers (hosts and sizes only)', async () => {
    const h = createHandlers(spyWorkbench(fakeCluster(status()).cluster).wb, ctx)
    const info = await h['cluster.status']()
    expect(info).toEqual({
      configured: true,
      address: 'redis://:***@10.0.0.5:6379',
      queue: 'workbench',
      state: 'ready',
      message: null,
      workers: [
        { host: 'lab-1', cpu: 'AMD EPYC', cores: 8, concurrency: 4 },
        { host: 'lab-2', cpu: 'AMD EPYC', cores: 8, concurrency: 2 },
      ],
      slots: 6,
      waiting: 1,
      training: 3,
    })
    expect(JSON.stringify(info)).not.toMatch(/freeMem|lab-1-1-abcd/)
  })

  it('counts no slots while Redis is away', () => {
    const info = clusterInfo(status({ state: 'reconnecting', message: 'Redis at x cannot be reached' }))
    expect(info).toMatchObject({ state: 'reconnecting', slots: 0, message: 'Redis at x cannot be reached' })
  })

  it('takes no arguments', async () => {
    const h = createHandlers(spyWorkbench(null).wb, ctx)
    const e = await h['cluster.status']('x').then(() => null, toApiError)
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'args' }] })
  })
})

describe('trainOn of runs.create and runs.createSweep', () => {
  it.each(['runs.create', 'runs.createSweep'] as const)(
    '%s refuses bad options before the core sees them',
    async (m) => {
      const { wb, createRun, createSweep } = spyWorkbench(fakeCluster(status()).cluster)
      const h = createHandlers(wb, ctx)
      const bad: [unknown, string][] = [
        ['cluster', 'options'],
        [[], 'options'],
        [{ trainOn: 'gpu' }, 'options.trainOn'],
        [{ trainOn: 1 }, 'options.trainOn'],
        [{ trainOn: 'cluster', other: 1 }, 'options.other'],
      ]
      for (const [options, path] of bad) {
        const e = await h[m]({}, options).then(() => null, toApiError)
        expect(e, JSON.stringify(options)).toMatchObject({ code: 'invalid-argument', fields: [{ path }] })
      }
      expect(createRun).not.toHaveBeenCalled()
      expect(createSweep).not.toHaveBeenCalled()
    },
  )

  it('refuses the cluster with a clear message when none is configured', async () => {
    const { wb, createRun } = spyWorkbench(null)
    const h = createHandlers(wb, ctx)
    const e = await h['runs.create']({}, { trainOn: 'cluster' }).then(() => null, toApiError)
    expect(e).toEqual({
      code: 'invalid-argument',
      message: `options.trainOn: ${NO_CLUSTER}`,
      fields: [{ path: 'options.trainOn', message: NO_CLUSTER }],
    })
    expect(createRun).not.toHaveBeenCalled()
    // Local needs no cluster.
    await h['runs.create']({}, { trainOn: 'local' })
    expect(createRun).toHaveBeenCalledWith({}, { trainOn: 'local' })
  })

  it('passes the choice to the core, and none when left out', async () => {
    const { wb, createRun, createSweep } = spyWorkbench(fakeCluster(status()).cluster)
    const h = createHandlers(wb, ctx)
    const spec = { base: {} }
    await h['runs.create']({ name: 'a' }, { trainOn: 'cluster' })
    await h['runs.create']({ name: 'b' })
    await h['runs.create']({ name: 'c' }, null)
    await h['runs.createSweep'](spec, { trainOn: 'cluster' })
    expect(createRun.mock.calls).toEqual([
      [{ name: 'a' }, { trainOn: 'cluster' }],
      [{ name: 'b' }, {}],
      [{ name: 'c' }, {}],
    ])
    expect(createSweep.mock.calls).toEqual([[spec, { trainOn: 'cluster' }]])
  })

  it('trainOnArg treats a null choice as left out', () => {
    expect(trainOnArg({ trainOn: null }, { cluster: null })).toEqual({})
  })
})

describe('the cluster event', () => {
  it('is sent when what the renderer sees changes, and not for the same status again', () => {
    const fake = fakeCluster(status())
    const got: ClusterInfo[] = []
    const stop = subscribeCluster({ cluster: fake.cluster as never }, (i) => got.push(i))
    fake.set(status())
    fake.set(status({ workers: [machine('lab-1', 4)] }))
    fake.set(status({ workers: [machine('lab-1', 4)] }))
    fake.set(status({ state: 'reconnecting', workers: [machine('lab-1', 4)] }))
    expect(got.map((i) => i.configured && [i.state, i.slots])).toEqual([
      ['ready', 4],
      ['reconnecting', 0],
    ])
    stop()
    expect(fake.listeners.size).toBe(0)
  })

  it('goes through the event forwarder, which unsubscribes when closed', () => {
    const fake = fakeCluster(status())
    const sent: ApiEvent[] = []
    const fwd = forwardEvents({ subscribe: () => () => undefined, cluster: fake.cluster as never }, (e) =>
      sent.push(e),
    )
    fake.set(status({ workers: [] }))
    expect(sent).toEqual([{ event: 'cluster', payload: clusterInfo(status({ workers: [] })) }])
    fwd.close()
    expect(fake.listeners.size).toBe(0)
  })
})
