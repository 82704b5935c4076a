import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MetricEvent, RunRecord, RunStatus } from '../../src-shared/runs'
import type { Workbench, WorkbenchEvent } from '../core/workbench'
import { makeCapture } from '../core/store/testingLayers'
import { forwardEvents, type ApiEvent } from './events'

function fakeSource() {
  const listeners = new Set<(e: WorkbenchEvent) => void>()
  const source = {
    subscribe(l: (e: WorkbenchEvent) => void) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  } as Pick<Workbench, 'subscribe'>
  return { source, emit: (e: WorkbenchEvent) => listeners.forEach((l) => l(e)), listeners }
}

function run(id: string, status: RunStatus, iteration = 0): RunRecord {
  return { id, status, progress: { iteration, numIterations: 1000, epoch: 0, numEpochs: 1 } } as RunRecord
}

const it_ = (iteration: number): MetricEvent => ({ type: 'iteration', iteration, loss: 2.3 })

function setup() {
  const { source, emit, listeners } = fakeSource()
  const sent: ApiEvent[] = []
  const fwd = forwardEvents(source, (e) => sent.push(e))
  const runs = (id?: string) =>
    sent.flatMap((e) => (e.event === 'run' && (id === undefined || e.payload.id === id) ? [e.payload] : []))
  return { emit, sent, fwd, runs, listeners }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('forwardEvents', () => {
  it('coalesces a run’s progress to at most 5 events a second, the latest record winning', () => {
    const { emit, runs, fwd } = setup()
    emit({ type: 'run', run: run('a', 'running', 0) })
    expect(runs()).toHaveLength(1)
    // 100 progress events over one second.
    for (let i = 1; i <= 100; i++) {
      vi.advanceTimersByTime(10)
      emit({ type: 'run', run: run('a', 'running', i) })
    }
    vi.advanceTimersByTime(1000)
    const iterations = runs('a').map((r) => r.progress.iteration)
    expect(iterations.length).toBeGreaterThanOrEqual(5)
    expect(iterations.length).toBeLessThanOrEqual(7)
    expect(iterations.at(-1)).toBe(100)
    expect([...iterations].sort((x, y) => x - y)).toEqual(iterations)
    fwd.close()
  })

  it('paces each run on its own', () => {
    const { emit, runs, fwd } = setup()
    emit({ type: 'run', run: run('a', 'running', 1) })
    emit({ type: 'run', run: run('b', 'running', 1) })
    emit({ type: 'run', run: run('a', 'running', 2) })
    emit({ type: 'run', run: run('b', 'running', 2) })
    expect(runs().map((r) => `${r.id}${r.progress.iteration}`)).toEqual(['a1', 'b1'])
    vi.advanceTimersByTime(200)
    expect(runs().map((r) => `${r.id}${r.progress.iteration}`)).toEqual(['a1', 'b1', 'a2', 'b2'])
    fwd.close()
  })

  it('forwards a status change at once, replacing the pending progress', () => {
    const { emit, runs, fwd } = setup()
    emit({ type: 'run', run: run('a', 'queued') })
    emit({ type: 'run', run: run('a', 'running', 0) })
    emit({ type: 'run', run: run('a', 'running', 5) })
    emit({ type: 'run', run: run('a', 'completed', 10) })
    expect(runs().map((r) => r.status)).toEqual(['queued', 'running', 'completed'])
    vi.advanceTimersByTime(1000)
    expect(runs().map((r) => r.status)).toEqual(['queued', 'running', 'completed'])
    // A finished run forgets its pacing: resuming it is news again.
    emit({ type: 'run', run: run('a', 'queued') })
    expect(runs().at(-1)!.status).toBe('queued')
    fwd.close()
  })

  it('batches metrics per run every 100 ms', () => {
    const { emit, sent, fwd } = setup()
    emit({ type: 'metrics', runId: 'a', events: [it_(1)] })
    emit({ type: 'metrics', runId: 'b', events: [it_(1)] })
    vi.advanceTimersByTime(50)
    emit({ type: 'metrics', runId: 'a', events: [it_(2), it_(3)] })
    expect(sent).toEqual([])
    vi.advanceTimersByTime(50)
    expect(sent).toEqual([
      { event: 'metrics', payload: { runId: 'a', events: [it_(1), it_(2), it_(3)] } },
      { event: 'metrics', payload: { runId: 'b', events: [it_(1)] } },
    ])
    emit({ type: 'metrics', runId: 'a', events: [it_(4)] })
    vi.advanceTimersByTime(100)
    expect(sent.at(-1)).toEqual({ event: 'metrics', payload: { runId: 'a', events: [it_(4)] } })
    expect(sent).toHaveLength(3)
    fwd.close()
  })

  it('sends a run’s pending metrics before its status change', () => {
    const { emit, sent, fwd } = setup()
    emit({ type: 'run', run: run('a', 'running') })
    emit({ type: 'metrics', runId: 'a', events: [it_(9)] })
    emit({ type: 'metrics', runId: 'b', events: [it_(1)] })
    emit({ type: 'run', run: run('a', 'completed') })
    expect(sent.map((e) => e.event)).toEqual(['run', 'metrics', 'run'])
    vi.advanceTimersByTime(100)
    expect(sent.at(-1)).toEqual({ event: 'metrics', payload: { runId: 'b', events: [it_(1)] } })
    fwd.close()
  })

  it('coalesces queue states, the latest winning', () => {
    const { emit, sent, fwd } = setup()
    emit({ type: 'queue', running: [], queued: ['a'] })
    emit({ type: 'queue', running: ['a'], queued: [] })
    emit({ type: 'queue', running: ['a'], queued: ['b'] })
    expect(sent).toEqual([{ event: 'queue', payload: { running: [], queued: ['a'] } }])
    vi.advanceTimersByTime(100)
    expect(sent.at(-1)).toEqual({ event: 'queue', payload: { running: ['a'], queued: ['b'] } })
    expect(sent).toHaveLength(2)
    fwd.close()
  })

  it('flush sends everything pending now', () => {
    const { emit, sent, fwd } = setup()
    emit({ type: 'run', run: run('a', 'running', 1) })
    emit({ type: 'run', run: run('a', 'running', 2) })
    emit({ type: 'metrics', runId: 'a', events: [it_(2)] })
    fwd.flush()
    expect(sent.map((e) => e.event)).toEqual(['run', 'metrics', 'run'])
    vi.advanceTimersByTime(1000)
    expect(sent).toHaveLength(3)
    fwd.close()
  })

  it('close unsubscribes and drops what is pending', () => {
    const { emit, sent, fwd, listeners } = setup()
    emit({ type: 'run', run: run('a', 'running', 1) })
    emit({ type: 'run', run: run('a', 'running', 2) })
    emit({ type: 'metrics', runId: 'a', events: [it_(2)] })
    fwd.close()
    expect(listeners.size).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(sent).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('sends each layers event at once, captures whole, to every subscriber (issue 15)', () => {
    const a = setup()
    const b = setup()
    const captures = [makeCapture(10), makeCapture(20, { reason: 'check' })]
    a.emit({ type: 'layers', runId: 'r1', captures })
    b.emit({ type: 'layers', runId: 'r1', captures })
    for (const { sent } of [a, b]) {
      expect(sent).toEqual([{ event: 'layers', payload: { runId: 'r1', captures } }])
    }
    // Nothing of a layers event is taken for a queue state.
    vi.advanceTimersByTime(1000)
    expect(a.sent.filter((e) => e.event === 'queue')).toEqual([])
    a.fwd.close()
    b.fwd.close()
  })

  it('survives a sink that throws', () => {
    const { source, emit } = fakeSource()
    let calls = 0
    const fwd = forwardEvents(source, () => {
      calls++
      throw new Error('window closed')
    })
    expect(() => emit({ type: 'run', run: run('a', 'running') })).not.toThrow()
    emit({ type: 'run', run: run('a', 'completed') })
    expect(calls).toBe(2)
    fwd.close()
  })
})
