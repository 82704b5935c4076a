/**
 * Legends for charts that are saved or printed (reports, PNG/SVG exports), laid out here rather than by
 * ECharts: its legend wraps onto the plot when there is no room, and the server-side renderer only
 * estimates text widths. Each entry gets its own place from a deliberately generous width estimate, the
 * plot is moved down by the legend's height (so it never overlaps), and a name too long for the space
 * is cut with an ellipsis and flagged, so the figure can list it in full next to the chart.
 */

export interface LegendEntry {
  name: string
  color: string
}

export interface PlacedEntry extends LegendEntry {
  /** What the legend shows: the name, or its start and an ellipsis. */
  label: string
  truncated: boolean
  x: number
  y: number
}

export interface LegendLayout {
  entries: PlacedEntry[]
  /** From the top of the chart to the bottom of the legend's last row, in pixels. */
  height: number
  truncated: boolean
}

export interface LegendOptions {
  /** The chart's width in pixels. */
  width: number
  fontSize?: number
  /** Left and right margin, and the legend's top. */
  margin?: number
  top?: number
  /** A label longer than this share of the width is cut. */
  maxLabelShare?: number
}

export const SWATCH_WIDTH = 14
export const SWATCH_HEIGHT = 8
/** ECharts puts 5 pixels between a legend item's icon and its text. */
const SWATCH_GAP = 5
const ITEM_GAP = 20
const ROW_GAP = 6

const NARROW = new Set([...`ijlft.,;:'"|!()[]{} `])
const WIDE = new Set([...'mwMW@%&'])

/**
 * An upper bound, for a sans-serif font, of how wide `text` is drawn: wide enough for the widest of the
 * fonts the app asks for (src-shared/fonts.ts), so a legend laid out with it never overlaps itself.
 */
export function textWidth(text: string, fontSize = 12): number {
  let em = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (isFullWidth(code)) em += 1.0
    else if (NARROW.has(ch)) em += 0.36
    else if (WIDE.has(ch)) em += 0.95
    else if (ch >= 'A' && ch <= 'Z') em += 0.72
    else em += 0.62
  }
  return Math.ceil(em * fontSize)
}

/** CJK ideographs, kana, hangul, full-width forms and emoji: drawn about one em wide. */
function isFullWidth(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f300
  )
}

/** `text` cut to fit `max` pixels with an ellipsis (by code points, so no character is split). */
export function truncateText(text: string, max: number, fontSize = 12): string {
  if (textWidth(text, fontSize) <= max) return text
  const chars = [...text]
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, fontSize) > max) chars.pop()
  return `${chars.join('').trimEnd()}…`
}

/** Rows of entries left to right, each placed where the generous estimate says it has room. */
export function layoutLegend(items: readonly LegendEntry[], options: LegendOptions): LegendLayout {
  const fontSize = options.fontSize ?? 12
  const margin = options.margin ?? 16
  const top = options.top ?? 8
  const rowHeight = Math.ceil(fontSize * 1.4)
  const available = Math.max(80, options.width - 2 * margin)
  const maxLabel = Math.max(
    40,
    Math.floor(available * (options.maxLabelShare ?? 0.5)) - SWATCH_WIDTH - SWATCH_GAP,
  )
  const entries: PlacedEntry[] = []
  let x = 0
  let row = 0
  for (const item of items) {
    const label = truncateText(item.name, maxLabel, fontSize)
    const width = SWATCH_WIDTH + SWATCH_GAP + textWidth(label, fontSize)
    if (x > 0 && x + width > available) {
      row++
      x = 0
    }
    entries.push({
      ...item,
      label,
      truncated: label !== item.name,
      x: margin + x,
      y: top + row * (rowHeight + ROW_GAP),
    })
    x += width + ITEM_GAP
  }
  const rows = entries.length === 0 ? 0 : row + 1
  return {
    entries,
    height: rows === 0 ? 0 : top + rows * rowHeight + (rows - 1) * ROW_GAP,
    truncated: entries.some((e) => e.truncated),
  }
}

/**
 * The layout as ECharts legend components, one per entry at its place (ECharts draws icon and text; the
 * positions are ours). Entries are not clickable: the files these go into are not interactive.
 */
export function legendComponents(layout: LegendLayout, textColor: string, fontSize = 12): object[] {
  return layout.entries.map((e) => ({
    show: true,
    type: 'plain',
    left: e.x,
    top: e.y,
    padding: 0,
    icon: 'roundRect',
    itemWidth: SWATCH_WIDTH,
    itemHeight: SWATCH_HEIGHT,
    selectedMode: false,
    data: [{ name: e.name, itemStyle: { color: e.color, opacity: 1 }, textStyle: { color: textColor } }],
    textStyle: { color: textColor, fontSize },
    formatter: () => e.label,
  }))
}
