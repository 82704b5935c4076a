import { describe, expect, it } from 'vitest'
import { layoutLegend, legendComponents, textWidth, truncateText } from './chartLegend'

const entries = (names: string[]) => names.map((name, i) => ({ name, color: `#00000${i % 10}` }))

describe('layoutLegend', () => {
  it('places entries in rows inside the width, never on top of each other', () => {
    const names = Array.from({ length: 30 }, (_, i) => `run ${i} ${'x'.repeat(i % 7)}`)
    const layout = layoutLegend(entries(names), { width: 640 })
    expect(layout.entries.map((e) => e.name)).toEqual(names)
    const rows = new Set(layout.entries.map((e) => e.y))
    expect(rows.size).toBeGreaterThan(2)
    for (const [i, a] of layout.entries.entries()) {
      const right = a.x + 14 + 5 + textWidth(a.label)
      expect(a.x).toBeGreaterThanOrEqual(16)
      expect(right).toBeLessThanOrEqual(640 - 16)
      const b = layout.entries[i + 1]
      if (b && b.y === a.y) expect(b.x).toBeGreaterThan(right)
    }
    // The legend's height covers its last row (12 px text, 17 px rows, 6 px apart).
    expect(layout.height).toBe(8 + rows.size * 17 + (rows.size - 1) * 6)
    expect(layout.truncated).toBe(false)
  })

  it('cuts a name longer than half the width, by whole characters, and flags it', () => {
    const long = '很长的运行名称'.repeat(10)
    const layout = layoutLegend(entries([long, 'short']), { width: 400 })
    const [cut, short] = layout.entries
    expect(cut!.truncated).toBe(true)
    expect(cut!.label.endsWith('…')).toBe(true)
    expect(long.startsWith(cut!.label.slice(0, -1))).toBe(true)
    expect(textWidth(cut!.label)).toBeLessThanOrEqual(400 / 2)
    expect(short).toMatchObject({ label: 'short', truncated: false })
    expect(layout.truncated).toBe(true)
  })

  it('has no height without entries', () => {
    expect(layoutLegend([], { width: 720 })).toEqual({ entries: [], height: 0, truncated: false })
  })
})

describe('textWidth', () => {
  it('counts CJK characters a full em and narrow Latin letters less', () => {
    expect(textWidth('学习率', 12)).toBe(36)
    expect(textWidth('iii', 12)).toBeLessThan(textWidth('WWW', 12))
    expect(textWidth('', 12)).toBe(0)
  })

  it('truncateText leaves what fits alone', () => {
    expect(truncateText('fits', 100)).toBe('fits')
    expect(truncateText('🙂'.repeat(20), 50)).toMatch(/^(🙂)+…$/)
  })
})

describe('legendComponents', () => {
  it('gives ECharts one fixed, unclickable legend per entry, showing its label', () => {
    const layout = layoutLegend(entries(['a', 'b']), { width: 720 })
    const [first] = legendComponents(layout, '#475569') as {
      left: number
      top: number
      selectedMode: boolean
      data: { name: string }[]
      formatter: () => string
    }[]
    expect(first).toMatchObject({ left: 16, top: 8, selectedMode: false, data: [{ name: 'a' }] })
    expect(first!.formatter()).toBe('a')
  })
})
