import { describe, expect, it } from 'vitest'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { appendEvents, emptySeries, type RunSeries } from '../stores/runs'
import { makeRun } from '../testing/fakeApi'
import { compareDiagnoses, type DiagnosisCache } from './compareDiagnosis'
import type { CompareRun } from './compareSeries'
import { classCount, diagnoseInput } from './runDiagnosis'

/** `count` iterations of `loss(i)`, an accuracy check every 20 at `acc`. */
function series(count: number, loss: (i: number) => number, acc = 0.1): RunSeries {
  const events: MetricEvent[] = []
  for (let i = 1; i <= count; i++) {
    events.push({ type: 'iteration', iteration: i, loss: loss(i) })
    if (i % 20 === 0)
      events.push({ type: 'epoch', epoch: i / 20, iteration: i, trainAcc: acc, valAcc: acc, lr: 1e-7 })
  }
  const s = emptySeries()
  appendEvents(s, events)
  return s
}

const run = (name: string, over: Partial<RunRecord> = {}): RunRecord => makeRun({ config: { name }, ...over })
const entry = (record: RunRecord, s: RunSeries | null, color = '#111111'): CompareRun => ({
  record,
  series: s,
  color,
})

describe('compareDiagnoses', () => {
  it("lists each run's findings in order, with its colour and text in the UI language", () => {
    const exploding = run('exploding')
    const fresh = run('fresh', { status: 'running' })
    const runs = [
      entry(
        exploding,
        series(60, (i) => 2.3 * 1.15 ** i),
        '#ea580c',
      ),
      entry(
        fresh,
        series(10, () => 2.3),
        '#2563eb',
      ),
    ]
    const [a, b] = compareDiagnoses(runs, 'en')
    expect(a).toMatchObject({ runId: exploding.id, name: 'exploding', color: '#ea580c' })
    expect(a!.findings.map((f) => [f.kind, f.severity])).toEqual([['lr-too-high', 'error']])
    expect(a!.findings[0]!.text.title).toBe('Learning rate too high')
    expect(a!.findings[0]!.text.suggestion).not.toBe('')
    // Ten losses are too few to judge: no findings rather than a guess.
    expect(b).toMatchObject({ runId: fresh.id, name: 'fresh', color: '#2563eb', findings: [] })

    expect(compareDiagnoses(runs, 'zh-CN')[0]!.findings[0]!.text.title).toBe('学习率过高')
  })

  it('judges a run without metrics as not yet judgeable', () => {
    expect(compareDiagnoses([entry(run('queued', { status: 'queued' }), null)], 'en')[0]!.findings).toEqual(
      [],
    )
  })

  it("measures chance level with the dataset's class count", () => {
    // A loss stuck at ln 2 is "barely moved from chance" for two classes, and far below chance for ten.
    const stuck = entry(
      run('binary'),
      series(200, () => Math.log(2), 0.5),
    )
    const kinds = (classes?: number) =>
      compareDiagnoses([stuck], 'en', { datasetClasses: () => classes })[0]!.findings.map((f) => f.kind)
    expect(kinds(2)).toContain('lr-too-low')
    expect(kinds(undefined)).not.toContain('lr-too-low')
  })
})

describe('compareDiagnoses with a cache', () => {
  it('diagnoses again only the runs whose data or state changed', () => {
    const growing = series(10, () => 2.3)
    const a = entry(run('live', { status: 'running' }), growing)
    const b = entry(
      run('done'),
      series(60, (i) => 2.3 * 1.15 ** i),
    )
    const versions: Record<string, number> = { [a.record.id]: 1, [b.record.id]: 1 }
    const cache: DiagnosisCache = new Map()
    const call = (runs = [a, b], locale: 'en' | 'zh-CN' = 'en') =>
      compareDiagnoses(runs, locale, { version: (id) => versions[id]!, cache })

    const first = call()
    expect(first[0]!.findings).toEqual([])
    // Unchanged: the very same findings come back.
    const again = call()
    expect(again[1]!.findings).toBe(first[1]!.findings)

    // The live run's series grew in place and its version moved: it alone is diagnosed again.
    appendEvents(
      growing,
      Array.from({ length: 50 }, (_, k) => ({
        type: 'iteration' as const,
        iteration: 11 + k,
        loss: 2.3 * 1.15 ** k,
      })),
    )
    const stale = call()
    expect(stale[0]!.findings).toBe(first[0]!.findings)
    versions[a.record.id] = 2
    const grown = call()
    expect(grown[0]!.findings.map((f) => f.kind)).toEqual(['lr-too-high'])
    expect(grown[1]!.findings).toBe(first[1]!.findings)

    // A new state (the run failed) or another language is not served from the cache.
    a.record = { ...a.record, status: 'failed', error: { reason: 'diverged', message: 'NaN', iteration: 61 } }
    expect(call()[0]!.findings.map((f) => f.kind)).toEqual(['diverged'])
    expect(call(undefined, 'zh-CN')[1]!.findings[0]!.text.title).toBe('学习率过高')

    // Runs no longer compared are forgotten.
    call([b])
    expect([...cache.keys()]).toEqual([b.record.id])
  })
})

describe('diagnoseInput', () => {
  it("pairs the series' columns into points and carries the run's state", () => {
    const s = series(40, (i) => 3 - i / 100)
    s.lr[1] = null
    const record = run('r', {
      status: 'failed',
      error: { reason: 'diverged', message: 'NaN', iteration: 41 },
      progress: { iteration: 40, numIterations: 600, epoch: 2, numEpochs: 10 },
    })
    const input = diagnoseInput(record, s, 7)
    expect(input.losses).toHaveLength(40)
    expect(input.losses[2]).toEqual({ iteration: 3, loss: 2.97 })
    expect(input.epochs).toEqual([
      { epoch: 1, trainAcc: 0.1, valAcc: 0.1, lr: 1e-7 },
      { epoch: 2, trainAcc: 0.1, valAcc: 0.1, lr: null },
    ])
    expect(input).toMatchObject({
      numClasses: 7,
      status: 'failed',
      error: record.error,
      progress: record.progress,
    })
    expect(diagnoseInput(record, null, 7)).toMatchObject({ losses: [], epochs: [] })
  })

  it('takes the class count from the result, then the dataset list, then ten', () => {
    const done = run('done', {
      result: {
        bestValAcc: 0.5,
        finalTrainAcc: 0.5,
        finalValAcc: 0.5,
        valAcc: 0.5,
        testAcc: 0.5,
        confusion: [],
        classNames: ['a', 'b', 'c'],
      },
    })
    expect(classCount(done, 100)).toBe(3)
    expect(classCount(run('live'), 100)).toBe(100)
    expect(classCount(run('live'))).toBe(10)
  })
})
