import { describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../../../src-shared/contract'
import { datasetSummary } from '../testing/datasetFixtures'
import type { FieldIssue } from '../../../src-shared/fieldIssue'
import { createAppI18n } from '../i18n'
import { fieldMessage } from './fieldMessages'
import { defaultForm, validateForm, type RunForm } from './runForm'

function translator(locale: 'en' | 'zh-CN') {
  const i18n = createAppI18n(locale)
  const t = (key: string, named?: Record<string, unknown>): string => i18n.global.t(key, named ?? {})
  return (e: Parameters<typeof fieldMessage>[2]) => fieldMessage(t, locale, e)
}
const en = translator('en')
const zh = translator('zh-CN')

const EMBEDDED: DatasetSummary = datasetSummary({
  name: 'fashion-mnist-small',
  source: 'builtin',
  format: 'idx',
  counts: { train: 6000, test: 1000 },
  shape: [1, 28, 28],
  classNames: [],
  sizeOnDisk: 1,
})

/** The form's text fields for numbers, each with a setter, on the model kind that shows it. */
const NUMBER_FIELDS: [string, RunForm['kind'], (f: RunForm, v: string) => void][] = [
  ['dataset.numTraining', 'two-layer', (f, v) => (f.dataset.numTraining = v)],
  ['dataset.numValidation', 'two-layer', (f, v) => (f.dataset.numValidation = v)],
  ['dataset.numTest', 'two-layer', (f, v) => (f.dataset.numTest = v)],
  ['model.hiddenDim', 'two-layer', (f, v) => (f.twoLayer.hiddenDim = v)],
  ['model.weightScale', 'two-layer', (f, v) => (f.twoLayer.weightScale = v)],
  ['model.reg', 'two-layer', (f, v) => (f.twoLayer.reg = v)],
  ['model.hiddenDims', 'fc', (f, v) => (f.fc.hiddenDims = `100, ${v}`)],
  ['model.dropoutKeepRatio', 'fc', (f, v) => (f.fc.dropoutKeepRatio = v)],
  ['model.numFilters', 'three-layer-conv', (f, v) => (f.conv.numFilters = v)],
  ['model.filterSize', 'three-layer-conv', (f, v) => (f.conv.filterSize = v)],
  ['solver.optimConfig.learningRate', 'two-layer', (f, v) => (f.solver.learningRate = v)],
  ['solver.lrDecay', 'two-layer', (f, v) => (f.solver.lrDecay = v)],
  ['solver.batchSize', 'two-layer', (f, v) => (f.solver.batchSize = v)],
  ['solver.numEpochs', 'two-layer', (f, v) => (f.solver.numEpochs = v)],
  ['seed', 'two-layer', (f, v) => (f.seed = v)],
]

function errorOf(path: string, kind: RunForm['kind'], set: (f: RunForm, v: string) => void, v: string) {
  const form = defaultForm()
  form.name = 'x'
  form.kind = kind
  set(form, v)
  return validateForm(form, EMBEDDED).errors.get(path)
}

describe('field messages', () => {
  it('word the schema’s issues for people, with the field’s bounds', () => {
    expect(en(errorOf('solver.batchSize', 'two-layer', (f, v) => (f.solver.batchSize = v), '0')!)).toBe(
      'Enter a whole number from 1 to 65,536.',
    )
    expect(en(errorOf('solver.numEpochs', 'two-layer', (f, v) => (f.solver.numEpochs = v), '1.5')!)).toBe(
      'Enter a whole number from 1 to 10,000.',
    )
    expect(
      en(
        errorOf('solver.optimConfig.learningRate', 'two-layer', (f, v) => (f.solver.learningRate = v), '0')!,
      ),
    ).toBe('Enter a number greater than 0.')
    expect(en(errorOf('model.dropoutKeepRatio', 'fc', (f, v) => (f.fc.dropoutKeepRatio = v), '0')!)).toBe(
      'Enter a number greater than 0 and at most 1.',
    )
    expect(en(errorOf('model.hiddenDims', 'fc', (f, v) => (f.fc.hiddenDims = `100, ${v}`), '0')!)).toBe(
      'Item 2: Enter a whole number from 1 to 65,536.',
    )
    expect(zh(errorOf('solver.batchSize', 'two-layer', (f, v) => (f.solver.batchSize = v), '0')!)).toBe(
      '请输入 1 到 65,536 之间的整数。',
    )
  })

  it('never show the schema’s English text in the Chinese UI', () => {
    const seen = new Set<string>()
    for (const [path, kind, set] of NUMBER_FIELDS) {
      for (const bad of ['-1', '0', '0.5', '1e9', '2.5', 'abc', '']) {
        const e = errorOf(path, kind, set, bad)
        if (!e) continue
        const text = zh(e)
        seen.add(e.issue?.code ?? 'none')
        // Digits, punctuation and the dataset's own name may appear; English words may not.
        expect(text.replace('fashion-mnist-small', ''), `${path} = ${JSON.stringify(bad)}`).not.toMatch(
          /[A-Za-z]{2,}/,
        )
        expect(text).toMatch(/[\u4e00-\u9fff]/)
        expect(text).not.toBe(e.message)
      }
    }
    expect([...seen].sort()).toEqual(
      ['notAList', 'notANumber', 'number', 'required', 'testSplitTooLarge', 'trainSplitTooLarge'].sort(),
    )
  })

  it('word what the dataset cannot give, and an empty hidden size or layer list', () => {
    const batch = errorOf('solver.batchSize', 'two-layer', (f, v) => (f.solver.batchSize = v), '6000')!
    expect(en(batch)).toBe(
      'A batch of 6,000 is larger than the 5,400 training images this run uses: choose at most 5,400.',
    )
    expect(zh(batch)).toBe('批大小 6,000 超过了本次训练使用的 5,400 张训练图像：最多为 5,400。')
    const hidden = errorOf('model.hiddenDim', 'two-layer', (f, v) => (f.twoLayer.hiddenDim = v), '')!
    expect(en(hidden)).toBe('Required: enter a value.')
    const layers = errorOf('model.hiddenDims', 'fc', (f, v) => (f.fc.hiddenDims = v), '')!
    expect(zh(layers)).toBe('请至少给出一个隐藏层大小，例如 100, 100。')
  })

  it('word every kind of issue in both languages', () => {
    const every: FieldIssue[] = [
      { code: 'required' },
      { code: 'notANumber' },
      { code: 'notAList' },
      { code: 'noLayers' },
      { code: 'number', integer: true, min: { value: 1, inclusive: true }, max: null },
      { code: 'number', integer: true, min: null, max: { value: 9, inclusive: true } },
      { code: 'number', integer: true, min: null, max: null },
      {
        code: 'number',
        integer: false,
        min: { value: 0, inclusive: true },
        max: { value: 1, inclusive: true },
      },
      {
        code: 'number',
        integer: false,
        min: { value: 0, inclusive: true },
        max: { value: 1, inclusive: false },
      },
      {
        code: 'number',
        integer: false,
        min: { value: 0, inclusive: false },
        max: { value: 1, inclusive: false },
      },
      { code: 'number', integer: false, min: { value: 0, inclusive: true }, max: null },
      { code: 'number', integer: false, min: null, max: { value: 1, inclusive: true } },
      { code: 'number', integer: false, min: null, max: { value: 1, inclusive: false } },
      { code: 'number', integer: false, min: null, max: null },
      { code: 'textTooLong', max: 200 },
      { code: 'tooManyItems', max: 32 },
      { code: 'tooFewItems', min: 1 },
      { code: 'oneOf', options: ['sgd', 'adam'] },
      { code: 'unknownFields', keys: ['extra'] },
      { code: 'brokenText' },
      { code: 'datasetName' },
      { code: 'notText' },
      { code: 'trainSplitTooLarge', dataset: 'd', numTraining: 10, numValidation: 2, available: 11 },
      { code: 'testSplitTooLarge', dataset: 'd', numTest: 10, available: 5 },
      { code: 'batchTooLarge', batchSize: 10, numTraining: 5 },
      { code: 'invalid' },
    ]
    const seen = new Set<string>()
    for (const issue of every) {
      for (const say of [en, zh]) {
        const text = say({ message: 'schema text', issue })
        expect(text, JSON.stringify(issue)).not.toMatch(/fieldErrors\.|schema text|\{/)
        seen.add(text)
      }
    }
    // No two different issues read the same.
    expect(seen.size).toBe(every.length * 2)
  })

  it('keep main’s message when it comes without an issue, or with one this version does not know', () => {
    expect(en({ message: 'this net needs about 116 GB' })).toBe('this net needs about 116 GB')
    expect(en({ message: 'from a newer main', issue: { code: 'later' } as never })).toBe('from a newer main')
  })
})
