import { describe, expect, it } from 'vitest'
import { FcModelSchema, ThreeLayerConvModelSchema, TwoLayerModelSchema } from '../../../src-shared/config'
import { modelSummary } from '../lib/format'
import * as labels from './features/labels'
import { createAppI18n } from './index'

/** The examples the app ships, by file name (Vite's glob: no Node APIs in renderer tests). */
const EXAMPLES = import.meta.glob<{ name: string }>('../../../examples/*.json', {
  eager: true,
  import: 'default',
})

describe('labels', () => {
  it('name every example the app ships, in both languages', () => {
    const files = Object.keys(EXAMPLES).map((p) => p.replace(/^.*\//, '').replace(/\.json$/, ''))
    expect(files.length).toBeGreaterThanOrEqual(4)
    expect(Object.keys(labels.en.presets).sort()).toEqual(files.sort())
    for (const [path, example] of Object.entries(EXAMPLES)) {
      const stem = path.replace(/^.*\//, '').replace(/\.json$/, '') as keyof typeof labels.en.presets
      // The English label is the example's own name.
      expect(labels.en.presets[stem]).toBe(example.name)
      expect(labels.zhCN.presets[stem]).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('summarise models in the UI’s language, and in English without one', () => {
    const zh = createAppI18n('zh-CN').global
    const t = (key: string, named: Record<string, unknown>): string => zh.t(key, named)
    const two = TwoLayerModelSchema.parse({ kind: 'two-layer', hiddenDim: 50 })
    const fc = FcModelSchema.parse({
      kind: 'fc',
      hiddenDims: [200],
      normalization: 'layernorm',
      dropoutKeepRatio: 0.5,
    })
    const conv = ThreeLayerConvModelSchema.parse({ kind: 'three-layer-conv' })
    expect(modelSummary(two, t)).toBe('两层 50')
    expect(modelSummary(fc, t)).toBe('全连接 200 层归一化 保留 0.5')
    expect(modelSummary(conv, t)).toBe('卷积 32×7×7 100')
    expect(modelSummary(fc)).toBe('fc 200 ln keep 0.5')
    expect(modelSummary(conv)).toBe('conv 32x7x7 100')
  })
})
