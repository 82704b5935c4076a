/** The report's tables: results, configuration (differences first), confusion matrix and notes. */
import type { RunConfig } from '../../../../src-shared/config'
import { configDiff } from '../../../../src-shared/configDiff'
import { formatConfigValue } from '../../../../src-shared/hyperFormat'
import type { Formats } from './format'
import { esc } from './html'
import type { MessageKey, Translate } from './messages'
import type { ReportRun } from './types'

/** Bookkeeping fields, as the compare view skips them: they never explain a difference in curves. */
const SKIPPED = new Set(['name', 'notes', 'tags', 'version'])

export function resultsTable(runs: ReportRun[], t: Translate, f: Formats): string {
  const head = [
    th(t('run')),
    th(t('status')),
    th(t('bestVal'), true),
    th(t('valAcc'), true),
    th(t('testAcc'), true),
    th(t('iterations'), true),
    th(t('duration'), true),
    th(t('environment')),
  ].join('')
  const rows = runs.map(({ record: r, color, duration }) => {
    const env = r.environment
      ? [r.environment.backend, r.environment.core ?? r.environment.library].filter(Boolean).join(' / ')
      : t('none')
    const status = t(`status_${r.status}` as MessageKey)
    const error = r.error ? `<div class="error">${esc(t('error', { message: r.error.message }))}</div>` : ''
    const cells = [
      `<td><span class="swatch" style="background:${esc(color)}"></span>${esc(r.config.name)}` +
        `<div class="meta"><code>${esc(r.id)}</code> · ${esc(f.date(r.createdAt))}</div></td>`,
      `<td>${esc(status)}${error}</td>`,
      num(f.percent(r.result?.bestValAcc)),
      num(f.percent(r.result?.valAcc)),
      num(f.percent(r.result?.testAcc)),
      num(`${f.integer(r.progress.iteration)} / ${f.integer(r.progress.numIterations)}`),
      num(duration === null ? t('none') : f.duration(duration)),
      `<td>${esc(env)}</td>`,
    ]
    return `<tr>${cells.join('')}</tr>`
  })
  return `<table class="results"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/**
 * One run: every field. Several: a runs-by-fields table of what differs, then what they share, folded
 * away on screen (the differences are the point) and printed in full (paper cannot unfold).
 */
export function configSection(runs: ReportRun[], t: Translate): string {
  const configs = runs.map((r) => r.record.config)
  if (runs.length === 1) return fieldTable(flatten(configs[0]!), t)
  const diffs = configDiff(configs)
  const differing = new Set(diffs.map((d) => d.path))
  const shared = [...flatten(configs[0]!)].filter(([path]) => !differing.has(path))
  let html = `<h3>${esc(t('differing'))}</h3>`
  if (diffs.length === 0) html += `<p class="meta">${esc(t('noDifferences'))}</p>`
  else {
    const head = th(t('run')) + diffs.map((d) => `<th><code>${esc(d.path)}</code></th>`).join('')
    const rows = runs.map(
      (r, i) =>
        `<tr><td><span class="swatch" style="background:${esc(r.color)}"></span>` +
        `${esc(r.record.config.name)}</td>` +
        diffs.map((d) => `<td>${value(d.values[i], t)}</td>`).join('') +
        '</tr>',
    )
    html += `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`
  }
  if (shared.length > 0) {
    const title = esc(t('shared', { count: shared.length }))
    const table = fieldTable(new Map(shared), t)
    html += `<details class="screen-only"><summary>${title}</summary>${table}</details>`
    html += `<div class="print-only"><h3>${title}</h3>${table}</div>`
  }
  return html
}

export function confusionTable(run: ReportRun, t: Translate, f: Formats): string {
  const result = run.record.result
  if (!result || result.confusion.length === 0) return `<p class="meta">${esc(t('noConfusion'))}</p>`
  const { confusion, classNames } = result
  const name = (i: number) => classNames[i] ?? String(i)
  const head =
    '<th></th>' +
    confusion.map((_, j) => `<th class="num">${esc(name(j))}</th>`).join('') +
    th(t('perClass'), true)
  const rows = confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0)
    const cells = row.map((count, j) => {
      const share = total > 0 ? count / total : 0
      // Blue for the diagonal (right), red for confusions; intensity is the share of the true class.
      const rgb = i === j ? '37,99,235' : '220,38,38'
      const style = share > 0 ? ` style="background:rgba(${rgb},${(0.08 + 0.6 * share).toFixed(3)})"` : ''
      return `<td class="${i === j ? 'diag' : ''}"${style}>${esc(f.integer(count))}</td>`
    })
    const accuracy = total > 0 ? f.percent((row[i] ?? 0) / total) : t('none')
    return `<tr><th>${esc(name(i))}</th>${cells.join('')}${num(accuracy)}</tr>`
  })
  return `<table class="confusion"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/** The Notes section: what people wrote about the runs (multi-line, as written; omitted when none did). */
export function userNotesSection(runs: ReportRun[], t: Translate): string {
  // Partial records (a source other than the store) may come without notes.
  const notesOf = (r: ReportRun): string => (r.record.config.notes as string | undefined) ?? ''
  const withNotes = runs.filter((r) => notesOf(r).trim() !== '')
  if (withNotes.length === 0) return ''
  const blocks = withNotes.map((r) => {
    const heading = runs.length > 1 ? `<h3>${esc(r.record.config.name)}</h3>` : ''
    return `${heading}<p class="user-notes">${esc(notesOf(r))}</p>`
  })
  return `<section id="notes"><h2>${esc(t('userNotes'))}</h2>${blocks.join('')}</section>`
}

/** The Diagnosis section: what a diagnosis module found per run (omitted when nothing was). */
export function notesSection(runs: ReportRun[], t: Translate): string {
  const withNotes = runs.filter((r) => r.notes.length > 0)
  if (withNotes.length === 0) return ''
  const blocks = withNotes.map((r) => {
    const items = r.notes.map((n) => `<li><strong>${esc(n.title)}</strong> — ${esc(n.detail)}</li>`)
    const heading = runs.length > 1 ? `<h3>${esc(r.record.config.name)}</h3>` : ''
    return `${heading}<ul class="notes">${items.join('')}</ul>`
  })
  return `<section id="diagnosis"><h2>${esc(t('diagnosis'))}</h2>${blocks.join('')}</section>`
}

function fieldTable(fields: Map<string, unknown>, t: Translate): string {
  const rows = [...fields].map(
    ([path, v]) => `<tr><td><code>${esc(path)}</code></td><td>${value(v, t)}</td></tr>`,
  )
  return `<table><thead><tr>${th(t('field'))}${th(t('value'))}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/** Dotted paths to leaf values, arrays kept whole (as the compare view's configDiff does). */
function flatten(config: RunConfig): Map<string, unknown> {
  const out = new Map<string, unknown>()
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [key, v] of Object.entries(value)) {
      if (prefix === '' && SKIPPED.has(key)) continue
      const path = prefix === '' ? key : `${prefix}.${key}`
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, path)
      else out.set(path, v)
    }
  }
  walk(config as unknown as Record<string, unknown>, '')
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)))
}

/**
 * A config value as the UI shows it (`1e-3`, `0.0871`: src-shared/hyperFormat.ts); where that rounds,
 * the exact value is the cell's tooltip (the JSON and CSV exports carry it too).
 */
function value(v: unknown, t: Translate): string {
  if (v === undefined || v === null) return `<code>${esc(t('none'))}</code>`
  const shown = formatConfigValue(v)
  const exact = typeof v === 'string' ? v : JSON.stringify(v)
  const title = exact !== shown ? ` title="${esc(exact)}"` : ''
  return `<code${title}>${esc(shown)}</code>`
}

function th(text: string, numeric = false): string {
  return `<th${numeric ? ' class="num"' : ''}>${esc(text)}</th>`
}

function num(text: string): string {
  return `<td class="num">${esc(text)}</td>`
}
