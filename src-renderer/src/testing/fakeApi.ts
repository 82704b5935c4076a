/** Test doubles: an in-memory Api whose methods tests program, and runs built from a valid config. */
import { vi } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import {
  EVENTS,
  METHODS,
  type Api,
  type EventName,
  type Events,
  type MethodName,
  type MetricsOptions,
  type MetricsSeries,
} from '../../../src-shared/contract'
import { seriesFromEvents } from '../../../src-shared/metricsSeries'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import type { ConnectionState, Transport } from '../api'

export type FakeApi = Api & {
  emit<E extends EventName>(event: E, payload: Events[E]): void
  mocks: Record<MethodName, ReturnType<typeof vi.fn>>
}

export interface FakeTransport extends Transport {
  api: FakeApi
  setState(s: ConnectionState): void
}

/** Every method resolves with `results[method]` (a function of the args, or a value), else rejects. */
export function fakeTransport(results: Partial<Record<MethodName, unknown>> = {}): FakeTransport {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>(EVENTS.map((e) => [e, new Set()]))
  const stateListeners = new Set<(s: ConnectionState) => void>()
  let state: ConnectionState = 'open'
  const mocks = {} as Record<MethodName, ReturnType<typeof vi.fn>>
  const api = {
    on(event: EventName, listener: (p: unknown) => void) {
      listeners.get(event)!.add(listener)
      return () => listeners.get(event)!.delete(listener)
    },
    emit(event: EventName, payload: unknown) {
      for (const l of listeners.get(event)!) l(payload)
    },
    mocks,
  } as Record<string, unknown>
  for (const m of METHODS) {
    mocks[m] = vi.fn(async (...args: unknown[]) => {
      if (!(m in results)) throw { code: 'not-found', message: `${m} not programmed` }
      const r = results[m]
      return typeof r === 'function' ? (r as (...a: unknown[]) => unknown)(...args) : structuredClone(r)
    })
    api[m] = mocks[m]
  }
  return {
    api: api as unknown as FakeApi,
    state: () => state,
    onState(l) {
      stateListeners.add(l)
      return () => stateListeners.delete(l)
    },
    setState(s) {
      state = s
      for (const l of stateListeners) l(s)
    },
  }
}

/** What runs.metrics answers for a log of these events (each counted once, as main reads them). */
export function metricsOf(events: MetricEvent[] = [], maxPoints = 5000): MetricsSeries {
  return seriesFromEvents(events, maxPoints)
}

/** runs.metrics as main answers it for these events, options (smoothing, range) included. */
export function metricsFrom(events: MetricEvent[] = []) {
  return (_id: unknown, options?: MetricsOptions): MetricsSeries => seriesFromEvents(events, options ?? {})
}

let counter = 0

/** A run record with a valid config; `config` overrides merge into the seed's two-layer run. */
export function makeRun(
  overrides: Partial<Omit<RunRecord, 'config'>> & { config?: Record<string, unknown> } = {},
) {
  const { config = {}, ...rest } = overrides
  counter++
  const run: RunRecord = {
    id: `run-${String(counter).padStart(4, '0')}`,
    config: RunConfigSchema.parse({
      name: `run ${counter}`,
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: 50 },
      solver: { optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95 },
      seed: 1,
      ...config,
    }),
    status: 'completed',
    sweepId: null,
    createdAt: new Date(Date.UTC(2026, 10, 26, 12, 0, counter)).toISOString(),
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 0, numIterations: 600, epoch: 0, numEpochs: 10 },
    result: null,
    error: null,
    environment: null,
    checkpointEpoch: 0,
    ...rest,
  }
  return run
}
