/**
 * `show <id>` for a person: status, config, sanity checks, result with the confusion matrix, error,
 * environment, metrics.
 */
import type { RunRecord, RunResult } from '../../src-shared/runs'
import type { SanityReport } from '../../src-shared/sanity'
import { renderReport } from './check'
import { duration, loss, NONE, paint, paintStatus, pct, table } from './format'
import { durationMs, type MetricsSummary } from './summary'

const LAST_EPOCHS = 5

export function renderRun(run: RunRecord, metrics: MetricsSummary, folder: string, color: boolean): string {
  const p = run.progress
  const out: string[] = [paint(color, 'bold', `Run ${run.id}  "${run.config.name}"`)]
  const status = `${paintStatus(color, run.status)} (epoch ${p.epoch}/${p.numEpochs}, iteration ${p.iteration}/${p.numIterations})`
  out.push(
    ...pairs([
      ['status', status],
      ['sweep', run.sweepId ?? NONE],
      ['created', run.createdAt],
      ['started', run.startedAt ?? NONE],
      ['finished', run.finishedAt ?? NONE],
      ['duration', duration(durationMs(run))],
      ['checkpoint', run.checkpointEpoch > 0 ? `epoch ${run.checkpointEpoch}` : NONE],
      ['folder', folder],
    ]),
  )
  out.push('', heading(color, 'Config'), ...pairs(configEntries(run.config)))
  if (run.checks) out.push('', heading(color, 'Sanity checks'), ...renderChecks(run.checks, color))
  if (run.result) out.push('', heading(color, 'Result'), ...renderResult(run.result))
  if (run.error) {
    const at = run.error.iteration !== undefined ? ` at iteration ${run.error.iteration}` : ''
    out.push(
      '',
      heading(color, 'Error'),
      ...pairs([
        ['reason', `${run.error.reason}${at}`],
        ['message', run.error.message],
      ]),
    )
  }
  const env = run.environment
  if (env) {
    const blas = env.library
      ? `${env.library}, core ${env.core ?? 'unknown'}${env.coreSource ? ` (${env.coreSource})` : ''}`
      : NONE
    out.push(
      '',
      heading(color, 'Environment'),
      ...pairs([
        ['backend', env.backend + (env.fallbackReason ? ` (fallback: ${env.fallbackReason})` : '')],
        ['BLAS', blas],
        ['BLAS threads', env.blasThreads === null ? NONE : String(env.blasThreads)],
        ['workbench', env.workbench],
        ['node', env.node],
        ['platform', env.platform],
        ['cpu', env.cpu],
      ]),
    )
  }
  out.push('', heading(color, 'Last metrics'), ...renderMetrics(metrics))
  return out.join('\n') + '\n'
}

function heading(color: boolean, text: string): string {
  return paint(color, 'bold', text)
}

function pairs(entries: [string, string][]): string[] {
  const width = Math.max(...entries.map(([k]) => k.length)) + 2
  return entries.map(([k, v]) => `  ${k.padEnd(width)}${v}`)
}

/** The config as dotted paths, the names field errors and sweep params use; lists stay on one line. */
export function configEntries(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => configEntries(v, prefix ? `${prefix}.${k}` : k))
  }
  const text = typeof value === 'string' ? value.replace(/\s*\n\s*/g, ' ') : JSON.stringify(value)
  return [[prefix, text === '' ? '""' : text]]
}

/** The stored report in `check`'s table, with where and when it ran. */
function renderChecks(report: SanityReport, color: boolean): string[] {
  const where = report.source === 'worker' ? 'by the worker before training' : 'before queuing'
  return [`  ran ${where}, ${report.ranAt}`, ...renderReport(report, color).map((l) => `  ${l}`)]
}

function renderResult(r: RunResult): string[] {
  const lines = pairs([
    ['best val acc', pct(r.bestValAcc)],
    ['test acc', `${pct(r.testAcc)} (best parameters)`],
    ['val acc', `${pct(r.valAcc)} (best parameters)`],
    ['final train', pct(r.finalTrainAcc)],
    ['final val', pct(r.finalValAcc)],
  ])
  if (r.confusion.length === 0) return lines
  lines.push('', '  Confusion matrix on the test split (rows: true class, columns: predicted)')
  const k = r.confusion.length
  const headers = ['', '', ...Array.from({ length: k }, (_, j) => String(j)), 'acc']
  const rows = r.confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0)
    return [
      String(i),
      r.classNames[i] ?? '',
      ...row.map(String),
      total > 0 ? pct((row[i] ?? 0) / total) : NONE,
    ]
  })
  const align = headers.map((_, j) => (j < 2 ? 'left' : 'right') as 'left' | 'right')
  lines.push(
    ...table(headers, rows, align)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  )
  return lines
}

function renderMetrics(m: MetricsSummary): string[] {
  if (m.epochs.length === 0 && m.lastLoss === null) return ['  none yet']
  const lines: string[] = []
  if (m.epochs.length > 0) {
    const rows = m.epochs.slice(-LAST_EPOCHS).map((e) => {
      return [
        String(e.epoch),
        String(e.iteration),
        pct(e.trainAcc),
        pct(e.valAcc),
        e.lr === null ? NONE : String(Number(e.lr.toPrecision(4))),
      ]
    })
    const t = table(['epoch', 'iteration', 'train acc', 'val acc', 'lr'], rows, [
      'right',
      'right',
      'right',
      'right',
      'right',
    ])
    lines.push(
      ...t
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    )
  }
  if (m.lastLoss !== null) {
    lines.push(`  loss ${loss(m.lastLoss)} at iteration ${m.lastIteration} (lowest ${loss(m.minLoss)})`)
  }
  if (m.resumes > 0) lines.push(`  resumed ${m.resumes} time${m.resumes === 1 ? '' : 's'}`)
  return lines
}
