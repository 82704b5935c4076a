/**
 * The core's events, paced for a UI. Training emits a `run` event per progress message and `metrics` per
 * worker message, for every run at once; forwarded raw over IPC or a socket they would flood the renderer.
 * So: `run` events are coalesced per run to at most one per `runIntervalMs` (the latest record wins) but a
 * status change goes out at once; `metrics` are batched per run every `metricsIntervalMs`; `queue` states
 * are coalesced like runs. A run's pending metrics go out before its status change, so a UI never sees
 * "completed" before the last points. A run removed (moved to the trash) takes its pending events with it;
 * trash changes are batched like queue states.
 */
import type { EventName, Events } from '../../src-shared/contract'
import type { MetricEvent, RunRecord, RunStatus } from '../../src-shared/runs'
import type { Workbench, WorkbenchEvent } from '../core/workbench'
import { subscribeCluster } from './clusterHandlers'

/** An event as it is sent: the same shape as the WebSocket's event frame. */
export type ApiEvent = { [E in EventName]: { event: E; payload: Events[E] } }[EventName]

export interface EventPacing {
  /** Minimum ms between two `run` events of one run with the same status (default 200: 5 per second). */
  runIntervalMs?: number
  /** How long metrics collect before a batch goes out (default 100). */
  metricsIntervalMs?: number
  /** Minimum ms between two `queue` events (default 100). */
  queueIntervalMs?: number
}

export interface EventForwarder {
  /** Sends everything pending now. */
  flush(): void
  /** Unsubscribes; pending events are dropped. */
  close(): void
}

const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted']

interface RunPace {
  lastSentAt: number
  lastStatus: RunStatus
  pending: RunRecord | null
  timer: ReturnType<typeof setTimeout> | null
}

export function forwardEvents(
  source: Pick<Workbench, 'subscribe'> & Partial<Pick<Workbench, 'datasetJobs' | 'cluster'>>,
  sink: (event: ApiEvent) => void,
  pacing: EventPacing = {},
): EventForwarder {
  const runMs = pacing.runIntervalMs ?? 200
  const metricsMs = pacing.metricsIntervalMs ?? 100
  const queueMs = pacing.queueIntervalMs ?? 100

  const runs = new Map<string, RunPace>()
  const metrics = new Map<string, MetricEvent[]>()
  let metricsTimer: ReturnType<typeof setTimeout> | null = null
  let queue: {
    lastSentAt: number
    pending: Events['queue'] | null
    timer: ReturnType<typeof setTimeout> | null
  } = { lastSentAt: -Infinity, pending: null, timer: null }
  let closed = false

  const send = (e: ApiEvent): void => {
    if (closed) return
    try {
      sink(e)
    } catch {
      // A failing sink (a closed window, a dead socket) must not break the core's other subscribers.
    }
  }

  const flushMetrics = (runId?: string): void => {
    for (const [id, events] of metrics) {
      if (runId !== undefined && id !== runId) continue
      metrics.delete(id)
      send({ event: 'metrics', payload: { runId: id, events } })
    }
    if (metrics.size === 0 && metricsTimer !== null) {
      clearTimeout(metricsTimer)
      metricsTimer = null
    }
  }

  const sendRun = (run: RunRecord): void => {
    const pace = runs.get(run.id)
    if (pace?.timer) clearTimeout(pace.timer)
    flushMetrics(run.id)
    send({ event: 'run', payload: run })
    if (TERMINAL.includes(run.status)) runs.delete(run.id)
    else runs.set(run.id, { lastSentAt: Date.now(), lastStatus: run.status, pending: null, timer: null })
  }

  const onRun = (run: RunRecord): void => {
    const pace = runs.get(run.id)
    if (!pace || pace.lastStatus !== run.status || Date.now() - pace.lastSentAt >= runMs) {
      sendRun(run)
      return
    }
    pace.pending = run
    pace.timer ??= setTimeout(
      () => {
        pace.timer = null
        if (pace.pending) sendRun(pace.pending)
      },
      runMs - (Date.now() - pace.lastSentAt),
    )
  }

  const onMetrics = (runId: string, events: MetricEvent[]): void => {
    const pending = metrics.get(runId)
    if (pending) pending.push(...events)
    else metrics.set(runId, [...events])
    metricsTimer ??= setTimeout(() => {
      metricsTimer = null
      flushMetrics()
    }, metricsMs)
  }

  const sendQueue = (state: Events['queue']): void => {
    if (queue.timer) clearTimeout(queue.timer)
    queue = { lastSentAt: Date.now(), pending: null, timer: null }
    send({ event: 'queue', payload: state })
  }

  const onQueue = (state: Events['queue']): void => {
    if (Date.now() - queue.lastSentAt >= queueMs) {
      sendQueue(state)
      return
    }
    queue.pending = state
    queue.timer ??= setTimeout(
      () => {
        queue.timer = null
        if (queue.pending) sendQueue(queue.pending)
      },
      queueMs - (Date.now() - queue.lastSentAt),
    )
  }

  /**
   * A run that left the runs folder: whatever was held back for it (a coalesced `run` event, metrics) is
   * dropped, so that nothing sent after the removal brings it back on a screen.
   */
  const onRunRemoved = (id: string): void => {
    const pace = runs.get(id)
    if (pace?.timer) clearTimeout(pace.timer)
    runs.delete(id)
    metrics.delete(id)
    send({ event: 'runRemoved', payload: { id } })
  }

  // A bulk delete of many runs is one change for the trash view: their ids go out together.
  let trash: { ids: Set<string>; timer: ReturnType<typeof setTimeout> | null } = {
    ids: new Set(),
    timer: null,
  }
  const flushTrash = (): void => {
    if (trash.timer) clearTimeout(trash.timer)
    const ids = [...trash.ids]
    trash = { ids: new Set(), timer: null }
    if (ids.length > 0) send({ event: 'trash', payload: { ids } })
  }
  const onTrash = (ids: string[]): void => {
    for (const id of ids) trash.ids.add(id)
    trash.timer ??= setTimeout(flushTrash, queueMs)
  }

  const unsubscribe = source.subscribe((e: WorkbenchEvent) => {
    if (e.type === 'run') onRun(e.run)
    else if (e.type === 'metrics') onMetrics(e.runId, e.events)
    // Rare and urgent: never coalesced.
    else if (e.type === 'notice') send({ event: 'notice', payload: { ...e.notice } })
    else if (e.type === 'runRemoved') onRunRemoved(e.id)
    else if (e.type === 'trash') onTrash(e.ids)
    // A capture comes every few hundred steps at most, already batched by the worker: sent as it comes.
    else if (e.type === 'layers') send({ event: 'layers', payload: { runId: e.runId, captures: e.captures } })
    else onQueue({ running: [...e.running], queued: [...e.queued] })
  })
  // Dataset jobs pace themselves (a few events a second per job, phase changes at once).
  const unsubscribeJobs = source.datasetJobs?.subscribe((e) => {
    if (e.type === 'job') send({ event: 'datasetJob', payload: e.job })
    else send({ event: 'datasets', payload: { ...e.change } })
  })

  // The cluster's connection and workers change a few times a minute at most: sent as they come.
  const unsubscribeCluster = source.cluster
    ? subscribeCluster({ cluster: source.cluster }, (info) => send({ event: 'cluster', payload: info }))
    : undefined

  return {
    flush() {
      flushMetrics()
      for (const pace of [...runs.values()]) if (pace.pending) sendRun(pace.pending)
      if (queue.pending) sendQueue(queue.pending)
      flushTrash()
    },
    close() {
      closed = true
      unsubscribe()
      unsubscribeJobs?.()
      unsubscribeCluster?.()
      for (const pace of runs.values()) if (pace.timer) clearTimeout(pace.timer)
      if (metricsTimer) clearTimeout(metricsTimer)
      if (queue.timer) clearTimeout(queue.timer)
      if (trash.timer) clearTimeout(trash.timer)
      runs.clear()
      metrics.clear()
    },
  }
}
