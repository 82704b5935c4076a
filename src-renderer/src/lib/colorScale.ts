/**
 * "Colour by" a hyperparameter in the compare view: numbers on a continuous ramp (logarithmic when the
 * values span decades, as learning rates and regularisation strengths do), anything else from the palette.
 */
import { formatHyper } from './format'
import { SERIES_COLORS } from '../../../src-shared/palette'

/**
 * Plasma (matplotlib) from dark violet to orange, stopping before its pale yellow end, which is
 * unreadable as a thin line on white. Perceptually ordered: brighter reads as larger.
 */
export const RAMP = ['#0d0887', '#5b02a3', '#9a179b', '#cb4678', '#eb7852', '#fbb32f']

export interface Tick {
  value: number
  label: string
  /** 0..1 along the ramp. */
  at: number
}

export type ColorScale =
  | { kind: 'numeric'; min: number; max: number; log: boolean; ticks: Tick[] }
  | { kind: 'categorical'; categories: { label: string; color: string }[] }

/** Values at least this many times apart get a log scale: one decade. */
const LOG_RATIO = 10

/** How a config value reads in a legend or a table cell. */
export function valueLabel(v: unknown): string {
  if (v === undefined) return '—'
  if (typeof v === 'number') return formatHyper(v)
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** The ramp's colour at t in [0, 1] (clamped), interpolated in RGB between its stops. */
export function rampColor(t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1)
  const i = Math.min(RAMP.length - 2, Math.floor(u))
  const f = u - i
  const a = hexToRgb(RAMP[i]!)
  const b = hexToRgb(RAMP[i + 1]!)
  const c = a.map((x, k) => Math.round(x + (b[k]! - x) * f))
  return `#${c.map((x) => x.toString(16).padStart(2, '0')).join('')}`
}

function position(scale: { min: number; max: number; log: boolean }, v: number): number {
  const { min, max, log } = scale
  if (max === min) return 0.5
  return log ? Math.log(v / min) / Math.log(max / min) : (v - min) / (max - min)
}

/** The scale for one config field's values across the compared runs. */
export function colorScaleFor(values: unknown[]): ColorScale {
  const defined = values.filter((v) => v !== undefined)
  const numeric = defined.length > 0 && defined.every((v) => typeof v === 'number' && Number.isFinite(v))
  if (numeric) {
    const nums = defined as number[]
    const min = Math.min(...nums)
    const max = Math.max(...nums)
    const log = min > 0 && max / min >= LOG_RATIO
    const mid = log ? Math.sqrt(min * max) : (min + max) / 2
    const points = max === min ? [min] : [min, mid, max]
    const ticks = points.map((value) => ({
      value,
      label: formatHyper(value),
      at: position({ min, max, log }, value),
    }))
    return { kind: 'numeric', min, max, log, ticks }
  }
  // Categories keep the order in which runs show them, so the legend reads like the table.
  const labels: string[] = []
  for (const v of values) {
    const label = valueLabel(v)
    if (!labels.includes(label)) labels.push(label)
  }
  return {
    kind: 'categorical',
    categories: labels.map((label, i) => ({ label, color: SERIES_COLORS[i % SERIES_COLORS.length]! })),
  }
}

export function colorFor(scale: ColorScale, value: unknown): string {
  if (scale.kind === 'numeric') {
    return typeof value === 'number' ? rampColor(position(scale, value)) : SERIES_COLORS[7]!
  }
  const label = valueLabel(value)
  return scale.categories.find((c) => c.label === label)?.color ?? SERIES_COLORS[7]!
}

/** A CSS gradient of the ramp for the legend bar. */
export function rampGradient(): string {
  return `linear-gradient(to right, ${RAMP.map((c, i) => `${c} ${(i / (RAMP.length - 1)) * 100}%`).join(', ')})`
}
