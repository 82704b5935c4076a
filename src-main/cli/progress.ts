/**
 * Live training output: a cli-progress multi-bar (one bar per running run) on a terminal, plain periodic
 * lines otherwise (CI logs, pipes), nothing under --json. Fed by the workbench's run and metrics events.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress'
import type { MetricEvent, RunRecord, RunStatus } from '../../src-shared/runs'
import type { Context } from './context'
import { duration, loss, paint, paintStatus, pct, truncate } from './format'
import { durationMs, shortRunName } from './summary'

export interface TrainingView {
  update(run: RunRecord): void
  metrics(runId: string, events: MetricEvent[]): void
  /** A line for a person, printed above the bars. */
  note(line: string): void
  stop(): void
}

export interface ViewOptions {
  /** Several runs: prefix lines with the run's name and report each finish. */
  multi: boolean
  /** Runs being watched, for the `(3/8)` count on each finish. */
  total?: number
  /** Plain output: the least time between two progress lines of one run (epoch ends always print). */
  lineIntervalMs?: number
}

const TERMINAL: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted']

export function isFinished(status: RunStatus): boolean {
  return TERMINAL.includes(status)
}

export function trainingView(ctx: Context, options: ViewOptions): TrainingView {
  if (ctx.json) return { update() {}, metrics() {}, note() {}, stop() {} }
  return ctx.terminal ? new BarView(ctx, ctx.terminal, options) : new LineView(ctx, options)
}

interface Tracked {
  run: RunRecord
  loss: number | null
  valAcc: number | null
  lastLineAt: number
  lastLineIteration: number
}

/** Keeps each run's latest record and metrics; subclasses draw. */
abstract class View implements TrainingView {
  protected readonly runs = new Map<string, Tracked>()
  private finished = 0

  constructor(
    protected readonly ctx: Context,
    protected readonly options: ViewOptions,
  ) {}

  update(run: RunRecord): void {
    const prev = this.runs.get(run.id)
    const t: Tracked = prev ?? {
      run,
      loss: null,
      valAcc: null,
      lastLineAt: Date.now(),
      lastLineIteration: -1,
    }
    const before = prev?.run.status
    t.run = run
    this.runs.set(run.id, t)
    if (before !== run.status && run.status === 'running') this.started(t)
    else if (before !== run.status && isFinished(run.status)) {
      this.finished++
      this.ended(t, this.options.multi ? this.finishLine(t) : null)
    } else if (run.status === 'running') this.progressed(t, null)
  }

  metrics(runId: string, events: MetricEvent[]): void {
    const t = this.runs.get(runId)
    if (!t) return
    let epoch: Extract<MetricEvent, { type: 'epoch' }> | null = null
    for (const e of events) {
      if (e.type === 'iteration') t.loss = e.loss
      else if (e.type === 'epoch') {
        epoch = e
        t.valAcc = e.valAcc
      }
    }
    this.progressed(t, epoch)
  }

  protected label(t: Tracked): string {
    return this.options.multi ? `${truncate(shortRunName(t.run.config), 40)}: ` : ''
  }

  protected finishLine(t: Tracked): string {
    const { run } = t
    const count = this.options.total ? `(${this.finished}/${this.options.total}) ` : ''
    const c = this.ctx.noteColor
    const head = `${count}${this.label(t)}${paintStatus(c, run.status)}`
    if (run.status === 'completed') {
      const took = duration(durationMs(run))
      return `${head} in ${took}: best val ${pct(run.result?.bestValAcc)}, test ${pct(run.result?.testAcc)}`
    }
    if (run.status === 'failed' && run.error) return `${head} (${run.error.reason}): ${run.error.message}`
    return `${head} at iteration ${run.progress.iteration}/${run.progress.numIterations}`
  }

  abstract note(line: string): void
  abstract stop(): void
  protected abstract started(t: Tracked): void
  protected abstract progressed(t: Tracked, epoch: Extract<MetricEvent, { type: 'epoch' }> | null): void
  protected abstract ended(t: Tracked, line: string | null): void
}

/** Lines for logs: a start line, one per epoch check, one every `lineIntervalMs` between, one at the end. */
class LineView extends View {
  note(line: string): void {
    this.ctx.note(line)
  }

  stop(): void {}

  protected started(t: Tracked): void {
    const p = t.run.progress
    this.note(`${this.label(t)}training: ${p.numIterations} iterations, ${p.numEpochs} epochs`)
  }

  protected progressed(t: Tracked, epoch: Extract<MetricEvent, { type: 'epoch' }> | null): void {
    const p = t.run.progress
    const now = Date.now()
    if (epoch) {
      this.note(
        `${this.label(t)}epoch ${epoch.epoch}/${p.numEpochs}  iteration ${epoch.iteration}/${p.numIterations}` +
          `  loss ${loss(t.loss)}  train ${pct(epoch.trainAcc)}  val ${pct(epoch.valAcc)}`,
      )
    } else if (
      now - t.lastLineAt >= (this.options.lineIntervalMs ?? 10_000) &&
      p.iteration !== t.lastLineIteration &&
      t.loss !== null
    ) {
      const share = p.numIterations > 0 ? Math.floor((100 * p.iteration) / p.numIterations) : 0
      this.note(
        `${this.label(t)}iteration ${p.iteration}/${p.numIterations} (${share}%)  epoch ${p.epoch}/${p.numEpochs}` +
          `  loss ${loss(t.loss)}`,
      )
    } else return
    t.lastLineAt = now
    t.lastLineIteration = p.iteration
  }

  protected ended(_t: Tracked, line: string | null): void {
    if (line) this.note(line)
  }
}

/** One bar per running run; a finished run's bar gives way to its result line (several runs). */
class BarView extends View {
  private readonly bars: MultiBar
  private readonly barOf = new Map<string, SingleBar>()

  constructor(ctx: Context, stream: NodeJS.WriteStream, options: ViewOptions) {
    super(ctx, options)
    const name = options.multi ? '{name} ' : ''
    this.bars = new MultiBar(
      {
        stream,
        format:
          `${name}{bar} {percentage}% | {value}/{total} it | epoch {epoch}/{epochs} | loss {loss}` +
          ` | val {val} | ${paint(ctx.noteColor, 'dim', 'ETA {eta_formatted}')}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        // We stop the bars ourselves on Ctrl-C, after the runs are interrupted.
        gracefulExit: false,
        autopadding: true,
        etaBuffer: 100,
      },
      Presets.shades_classic,
    )
  }

  note(line: string): void {
    // Logged lines are drawn on the next redraw, which only happens while bars are active.
    if (this.bars.isActive) this.bars.log(line + '\n')
    else this.ctx.note(line)
  }

  stop(): void {
    if (this.bars.isActive) this.bars.update()
    this.bars.stop()
  }

  protected started(t: Tracked): void {
    const p = t.run.progress
    if (this.barOf.has(t.run.id)) return
    this.barOf.set(t.run.id, this.bars.create(Math.max(p.numIterations, 1), p.iteration, this.payload(t)))
  }

  protected progressed(t: Tracked): void {
    this.barOf.get(t.run.id)?.update(t.run.progress.iteration, this.payload(t))
  }

  protected ended(t: Tracked, line: string | null): void {
    const bar = this.barOf.get(t.run.id)
    bar?.update(t.run.progress.iteration, this.payload(t))
    if (this.options.multi && bar) {
      this.bars.remove(bar)
      this.barOf.delete(t.run.id)
    }
    if (line) this.note(line)
  }

  private payload(t: Tracked): Record<string, string | number> {
    return {
      name: truncate(shortRunName(t.run.config), 32).padEnd(32),
      epoch: t.run.progress.epoch,
      epochs: t.run.progress.numEpochs,
      loss: loss(t.loss),
      val: pct(t.valAcc),
    }
  }
}
