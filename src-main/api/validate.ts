/**
 * Checks of the raw arguments a method receives. The renderer (and any page that reaches the browser-mode
 * socket) is untrusted: nothing reaches the core before its count, types and forms are right.
 */
import {
  METRICS_POINTS_DEFAULT,
  METRICS_POINTS_MAX,
  METRICS_SMOOTHING_DEFAULT,
  type MetricsRange,
  type ResumeOptions,
} from '../../src-shared/contract'
import { isRunId } from '../core/store/ids'
import { SWEEP_ID } from '../core/store/sweepStore'
import { invalidArgument } from './errors'

/**
 * Refuses too few or too many arguments. `names` lists the parameters in order; the last `optional` of
 * them may be left out (or sent as null, which is what JSON makes of a trailing undefined).
 */
export function checkArity(method: string, args: readonly unknown[], names: string[], optional = 0): void {
  const min = names.length - optional
  if (args.length < min) {
    const missing = names[args.length] ?? 'argument'
    throw invalidArgument(missing, `${method} needs ${describe(names, optional)}, got ${args.length}`)
  }
  if (args.length > names.length) {
    throw invalidArgument('args', `${method} takes ${describe(names, optional)}, got ${args.length}`)
  }
}

export function runIdArg(value: unknown, name = 'id'): string {
  if (isRunId(value)) return value
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeOf(value)
  throw invalidArgument(name, `not a run id (expected the form 20261126-194501-ab12cd, got ${shown})`)
}

export function sweepIdArg(value: unknown, name = 'sweepId'): string {
  if (typeof value === 'string' && SWEEP_ID.test(value)) return value
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeOf(value)
  throw invalidArgument(name, `not a sweep id (expected the form sweep-20261126-194501-ab12cd, got ${shown})`)
}

export function nonNegativeIntArg(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  const shown = typeof value === 'number' ? String(value) : typeOf(value)
  throw invalidArgument(name, `must be a non-negative integer, got ${shown}`)
}

/** runs.metrics's options as main uses them: the whole run in at most maxPoints points, or a range. */
export interface MetricsArgs {
  maxPoints: number
  smoothing: number
  range: MetricsRange | null
}

/**
 * runs.metrics's options with their defaults: at most METRICS_POINTS_MAX loss points (or range buckets),
 * so no answer grows with the length of a run (a 7.5M-iteration log is 600 MB; its series is under 1 MB).
 */
export function metricsOptionsArg(value: unknown): MetricsArgs {
  const options: MetricsArgs = {
    maxPoints: METRICS_POINTS_DEFAULT,
    smoothing: METRICS_SMOOTHING_DEFAULT,
    range: null,
  }
  if (value === undefined || value === null) return options
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument('options', `must be an object like {maxPoints: 2000}, got ${typeOf(value)}`)
  }
  let maxPointsGiven = false
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'maxPoints' && key !== 'smoothing' && key !== 'range') {
      throw invalidArgument(
        `options.${key.slice(0, 40)}`,
        'unknown option (known: maxPoints, smoothing, range)',
      )
    }
    if (v === undefined || v === null) continue
    if (key === 'maxPoints') {
      options.maxPoints = pointCount(v, 'options.maxPoints')
      maxPointsGiven = true
    } else if (key === 'smoothing') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
        const shown = typeof v === 'number' ? String(v) : typeOf(v)
        throw invalidArgument(
          'options.smoothing',
          `must be a number from 0 up to (not including) 1, got ${shown}`,
        )
      }
      options.smoothing = v
    } else options.range = metricsRangeArg(v)
  }
  if (maxPointsGiven && options.range) {
    throw invalidArgument('options.maxPoints', 'cannot be given with options.range (a range has its buckets)')
  }
  return options
}

function pointCount(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > METRICS_POINTS_MAX) {
    const shown = typeof v === 'number' ? String(v) : typeOf(v)
    throw invalidArgument(name, `must be an integer from 1 to ${METRICS_POINTS_MAX}, got ${shown}`)
  }
  return v
}

/** `{from, to, buckets}`: iterations from <= to, non-negative integers, and 1 to METRICS_POINTS_MAX buckets. */
function metricsRangeArg(value: unknown): MetricsRange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(
      'options.range',
      `must be an object like {from: 0, to: 1000, buckets: 800}, got ${typeOf(value)}`,
    )
  }
  for (const key of Object.keys(value)) {
    if (key !== 'from' && key !== 'to' && key !== 'buckets') {
      throw invalidArgument(`options.range.${key.slice(0, 40)}`, 'unknown field (known: from, to, buckets)')
    }
  }
  const r = value as Record<string, unknown>
  const from = nonNegativeIntArg(r['from'], 'options.range.from')
  const to = nonNegativeIntArg(r['to'], 'options.range.to')
  if (to < from) throw invalidArgument('options.range.to', `must be at least from (${from}), got ${to}`)
  return { from, to, buckets: pointCount(r['buckets'], 'options.range.buckets') }
}

/** `{fresh?: boolean}`; any other key or type is refused, naming it. */
export function resumeOptionsArg(value: unknown): ResumeOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('options', `must be an object like {fresh: true}, got ${typeOf(value)}`)
  }
  const out: ResumeOptions = {}
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'fresh') throw invalidArgument(`options.${key.slice(0, 40)}`, 'unknown option (known: fresh)')
    if (v === undefined || v === null) continue
    if (typeof v !== 'boolean')
      throw invalidArgument('options.fresh', `must be true or false, got ${typeOf(v)}`)
    out.fresh = v
  }
  return out
}

/** An optional argument: undefined or null mean "left out". */
export function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : check(value)
}

function describe(names: string[], optional: number): string {
  const min = names.length - optional
  if (names.length === 0) return 'no arguments'
  const list = names.map((n, i) => (i >= min ? `${n}?` : n)).join(', ')
  const count = min === names.length ? `${min}` : `${min} to ${names.length}`
  return `${count} argument${names.length === 1 ? '' : 's'} (${list})`
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
