/**
 * What the line charts write: axis ticks, tooltips, and where the legend and the buttons go. Pure, so
 * the options a chart gets can be checked without a canvas (LineChart.vue only assembles them).
 */
import { escapeHtml } from './sweepCharts'

/** What the x axis counts: whole steps and epochs get whole ticks and whole tooltip values. */
export type XKind = 'iteration' | 'epoch' | 'samples' | 'time' | 'value'

const numberFormats = new Map<string, Intl.NumberFormat>()
function fmt(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: digits })
    numberFormats.set(key, f)
  }
  return f
}

/**
 * An x value as a person reads it: iteration 131 (not 131.00); epoch 3, or 2.75 where a loss point
 * falls between two epochs; seconds to a tenth.
 */
export function formatX(v: number, kind: XKind, locale: string): string {
  if (!Number.isFinite(v)) return String(v)
  switch (kind) {
    case 'iteration':
    case 'samples':
      return fmt(locale, 0).format(Math.round(v))
    case 'epoch': {
      const whole = Math.round(v)
      return Math.abs(v - whole) < 1e-6 ? fmt(locale, 0).format(whole) : fmt(locale, 2).format(v)
    }
    case 'time':
      return fmt(locale, 1).format(v)
    default:
      return fmt(locale, 4).format(v)
  }
}

/** Axis numbers short enough for the margin: 2.5e+36, not 2.4999999999999996e+36. */
export function compactNumber(v: number): string {
  return v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(4)))
}

/**
 * A learning rate as it is written in a config: 1e-3, 2.5e-4 (not 0.001000 or 0.00025); plain from
 * 0.01 up, where it reads as well (0.05, 0.1).
 */
export function lrLabel(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v)
  if (Math.abs(v) >= 0.01) return String(Number(v.toPrecision(3)))
  let e = Math.floor(Math.log10(Math.abs(v)))
  let m = Number((v / 10 ** e).toPrecision(3))
  if (Math.abs(m) >= 10) {
    m /= 10
    e += 1
  }
  return `${m}e${e}`
}

/** The x axis' ticks: whole numbers for steps and epochs (minInterval 1), in the UI's language. */
export function xAxisTicks(kind: XKind, locale: string): Record<string, unknown> {
  const whole = kind === 'iteration' || kind === 'epoch' || kind === 'samples'
  return {
    ...(whole ? { minInterval: 1 } : {}),
    axisLabel: { formatter: (v: number) => formatX(v, kind, locale), hideOverlap: true },
  }
}

/**
 * The top of a chart holds, in rows of their own, the buttons (reset zoom, PNG, SVG; top right) and the
 * legend (one scrolling row, clear of the buttons), then the y axis' name: the plot starts below all of
 * them, so neither a legend of long run names nor the buttons ever cover a curve.
 */
export const TOOLBAR_HEIGHT = 24
const LEGEND_ROW = 22
/** Room the buttons take at the right of the legend's row. */
export const TOOLBAR_WIDTH = 150

export function chartLayout(legend: boolean): {
  grid: Record<string, unknown>
  legend: Record<string, unknown>
} {
  const top = (legend ? LEGEND_ROW : 0) + TOOLBAR_HEIGHT + 10
  return {
    grid: { left: 56, right: 20, top, bottom: 40, containLabel: false },
    legend: legend
      ? {
          show: true,
          type: 'scroll',
          top: TOOLBAR_HEIGHT,
          left: 56,
          right: 20,
          height: LEGEND_ROW,
          icon: 'roundRect',
          itemWidth: 14,
          itemHeight: 4,
          pageIconSize: 10,
        }
      : { show: false },
  }
}

/** The plot's width in pixels for a chart `width` wide: one downsampling bucket each. */
export function plotWidth(width: number): number {
  const { grid } = chartLayout(false)
  return Math.max(50, Math.round(width - (grid['left'] as number) - (grid['right'] as number)))
}

interface TooltipParam {
  seriesIndex?: number
  seriesName?: string
  marker?: unknown
  axisValue?: unknown
  value?: unknown
}

/** The y of a tooltip entry: the dataset row is [x, y] (or {x, y}). */
function yOf(value: unknown): number | null {
  if (Array.isArray(value)) return typeof value[1] === 'number' ? value[1] : null
  if (value && typeof value === 'object' && 'y' in value) {
    const y = (value as { y: unknown }).y
    return typeof y === 'number' ? y : null
  }
  return typeof value === 'number' ? value : null
}

/**
 * The axis tooltip: "Iteration 131" on top (a whole number, named like the axis), then each named
 * curve's value. Run names are the user's text: escaped.
 */
export function tooltipHtml(
  params: TooltipParam | TooltipParam[],
  o: {
    xName: string
    xKind: XKind
    locale: string
    y: (v: number) => string
    quiet?: (i: number) => boolean
  },
): string {
  const list = (Array.isArray(params) ? params : [params]).filter(
    (p) => !(o.quiet && p.seriesIndex !== undefined && o.quiet(p.seriesIndex)),
  )
  if (list.length === 0) return ''
  const x = Number(list[0]!.axisValue)
  const head = `${escapeHtml(o.xName)} ${escapeHtml(formatX(x, o.xKind, o.locale))}`.trim()
  const rows = list.map((p) => {
    const y = yOf(p.value)
    const marker = typeof p.marker === 'string' ? p.marker : ''
    return `${marker}${escapeHtml(p.seriesName ?? '')} <b>${y === null ? '—' : escapeHtml(o.y(y))}</b>`
  })
  return [`<div class="tooltip-x">${head}</div>`, ...rows].join('<br/>')
}
