import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { page } from '../src-main/core/export/report/html'
import { fontStack, SANS_FONTS } from './fonts'

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim()

describe('the font list', () => {
  it('names a font with Chinese glyphs for every system before the generic fallback', () => {
    for (const f of [
      'PingFang SC',
      'Microsoft YaHei',
      'Noto Sans CJK SC',
      'Source Han Sans SC',
      'WenQuanYi Micro Hei',
    ])
      expect(SANS_FONTS).toContain(f)
    expect(SANS_FONTS.at(-1)).toBe('sans-serif')
    expect(fontStack()).toContain("'Noto Sans CJK SC', 'Noto Sans SC'")
    expect(fontStack('"')).toMatch(/^system-ui, -apple-system, "Segoe UI", Roboto, /)
  })

  it('is the one the UI’s stylesheet declares', () => {
    const css = readFileSync(join(__dirname, '../src-renderer/src/styles/base.css'), 'utf8')
    const declared = /--sans:([^;]+);/.exec(css)?.[1]
    expect(squash(declared ?? '')).toBe(fontStack())
    expect(css).toMatch(/font-family: var\(--sans\);/)
  })

  it('is the one the reports use, for their text and their charts', () => {
    expect(page('zh-CN', '报告', '<p>实验</p>')).toContain(`font: 14px/1.5 ${fontStack('"')};`)
  })
})
