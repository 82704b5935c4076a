/**
 * Builds runs.metrics's answer (contract.ts MetricsSeries) from a run's events as they count (superseded
 * and repeated lines already dropped, any order): main feeds it the scan of metrics.jsonl; tests feed it
 * lists. Memory is the loss points (at most maxPoints) plus the epoch checks.
 */
import type { MetricsSeries } from './contract'
import { addLoss, emptyLossPoints } from './lossPoints'
import type { MetricEvent } from './runs'

type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>
type ResumeEvent = Extract<MetricEvent, { type: 'resume' }>

export class SeriesBuilder {
  private readonly points = emptyLossPoints()
  private count = 0
  private last: MetricsSeries['last'] = null
  private readonly epochs: EpochEvent[] = []
  private readonly resumes: ResumeEvent[] = []

  constructor(private readonly maxPoints: number) {}

  add(e: MetricEvent): void {
    if (e.type === 'iteration') {
      addLoss(this.points, this.maxPoints, e.iteration, e.loss, e.t)
      this.count++
      if (this.last === null || e.iteration > this.last.iteration) {
        this.last = { iteration: e.iteration, loss: finiteOrNull(e.loss), t: e.t ?? null }
      }
    } else if (e.type === 'epoch') this.epochs.push(e)
    else this.resumes.push(e)
  }

  finish(): MetricsSeries {
    const p = this.points
    return {
      bucket: p.bucket,
      iterationCount: this.count,
      iterations: p.iterations,
      losses: p.losses.map(finiteOrNull),
      lossMin: p.lossMin.map(finiteOrNull),
      lossMax: p.lossMax.map(finiteOrNull),
      counts: p.counts,
      times: p.times.map(finiteOrNull),
      last: this.last,
      epochs: this.epochs.sort((a, b) => a.epoch - b.epoch),
      resumes: this.resumes.sort((a, b) => a.fromIteration - b.fromIteration),
    }
  }
}

export function seriesFromEvents(events: Iterable<MetricEvent>, maxPoints: number): MetricsSeries {
  const b = new SeriesBuilder(maxPoints)
  for (const e of events) b.add(e)
  return b.finish()
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
