/** Plain-text formatting for terminals and logs: numbers, durations, sizes, aligned tables, colours. */

export const NONE = '-'

/** 0.412 -> `41.2%`; unknown -> `-`. */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NONE : `${(x * 100).toFixed(1)}%`
}

export function loss(x: number | null | undefined): string {
  return x === null || x === undefined ? NONE : Number.isFinite(x) ? x.toFixed(4) : String(x)
}

export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return NONE
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const pad = (n: number): string => String(n).padStart(2, '0')
  const total = Math.round(s)
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60]
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(sec)}s`
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let v = n
  let u = 0
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000
    u++
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(width - 1, 0))}…`
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length
}

export type Align = 'left' | 'right'

/** Columns padded to their widest cell, two spaces apart, no trailing spaces; `right` suits numbers. */
export function table(headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, c) =>
    Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[c] ?? ''))),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => {
        const gap = ' '.repeat((widths[c] ?? 0) - visibleLength(cell))
        return align[c] === 'right' ? gap + cell : cell + gap
      })
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const
export type Style = keyof typeof CODES

/** Styles text for a terminal; `enabled` false (pipes, --json, NO_COLOR) returns it unchanged. */
export function paint(enabled: boolean, style: Style, text: string): string {
  return enabled ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text
}

const STATUS_STYLE: Record<string, Style> = {
  completed: 'green',
  failed: 'red',
  running: 'cyan',
  interrupted: 'yellow',
  cancelled: 'yellow',
  corrupt: 'red',
}

export function paintStatus(enabled: boolean, status: string, text = status): string {
  const style = STATUS_STYLE[status]
  return style ? paint(enabled, style, text) : text
}
