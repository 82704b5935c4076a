import { describe, expect, it } from 'vitest'
import { RUN_ERROR_REASONS, RUN_STATUSES } from '../../../src-shared/runs'
import { UPDATE_RULES } from '../../../src-shared/config'
import en from './en'
import zhCN from './zh-CN'
import { createAppI18n } from './index'
import { pickLocale } from './locale'

type Tree = { [k: string]: string | Tree }

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv)
  }
  return out
}

/** The renderer's sources as text (Vite's glob import: no Node APIs in renderer code, tests included). */
const SOURCES = import.meta.glob<string>(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

const EN = leaves(en)
const ZH = leaves(zhCN as Tree)

describe('message catalogues', () => {
  it('have the same keys and the same plural forms in every language', () => {
    expect([...ZH.keys()].sort()).toEqual([...EN.keys()].sort())
    for (const [k, v] of EN) expect(ZH.get(k)?.split('|').length, k).toBe(v.split('|').length)
  })

  it('cover every key the code asks for', () => {
    const missing: string[] = []
    expect(Object.keys(SOURCES).length).toBeGreaterThan(20)
    for (const [file, text] of Object.entries(SOURCES)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g))
        if (!EN.has(m[1]!)) missing.push(`${file}: ${m[1]}`)
    }
    expect(missing).toEqual([])
  })

  it('name every status, update rule and error reason', () => {
    for (const s of [...RUN_STATUSES, 'corrupt']) expect(EN.has(`status.${s}`), s).toBe(true)
    for (const r of UPDATE_RULES) expect(EN.has(`form.rules.${r}`)).toBe(true)
    for (const r of RUN_ERROR_REASONS) expect(EN.has(`detail.errors.${r}`), r).toBe(true)
  })

  it('compile and pluralise in both languages', () => {
    const i18n = createAppI18n('en')
    const t = i18n.global.t
    expect(t('experiments.shown', { n: 1, total: 3 }, 1)).toBe('1 of 3 run')
    expect(t('sweep.willCreate', { n: 8 }, 8)).toBe('Creates 8 runs')
    expect(t('experiments.models.two-layer')).toBe('Two-layer net')
    i18n.global.locale.value = 'zh-CN'
    expect(t('status.running')).toBe('训练中')
    expect(t('sweep.willCreate', { n: 8 }, 8)).toBe('将创建 8 个训练')
  })
})

describe('pickLocale', () => {
  it('prefers the stored choice, then the system languages, then English', () => {
    expect(pickLocale('zh-CN', ['en-US'])).toBe('zh-CN')
    expect(pickLocale('fr', ['zh-TW', 'en'])).toBe('zh-CN')
    expect(pickLocale(null, ['de-DE', 'en-GB'])).toBe('en')
    expect(pickLocale(null, ['de-DE'])).toBe('en')
  })
})
