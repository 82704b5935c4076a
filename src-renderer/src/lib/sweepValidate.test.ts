import { describe, expect, it } from 'vitest'
import randomSearch from '../../../examples/seed-random-search.json'
import { expandSweep } from '../../../src-shared/sweep'
import { createAppI18n } from '../i18n'
import { customRow, formFromSpec, type ParamRow, type SweepForm } from './sweepForm'
import { makeSweepText } from './sweepText'
import { checkSweepForm, fieldOfSpecPath, fromText, type Msg } from './sweepValidate'

function texts(locale: 'en' | 'zh-CN') {
  const i18n = createAppI18n(locale)
  const g = i18n.global
  return makeSweepText(
    (k, named, plural) => (plural === undefined ? g.t(k, named ?? {}) : g.t(k, named ?? {}, plural)),
    (k) => g.te(k),
  )
}
const EN = texts('en')
const ZH = texts('zh-CN')

/** Every problem of a form as field -> sentences in one language. */
function shown(form: SweepForm, words = EN): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [field, msgs] of checkSweepForm(form).errors) out[field] = msgs.map(words.msgText)
  return out
}

/** A message that was not put in the catalogue's words (shown as src-shared wrote it). */
function raw(msg: Msg): boolean {
  if ('raw' in msg) return true
  if ('label' in msg) return false
  return Object.values(msg.params ?? {}).some((v) => typeof v === 'object' && raw(v))
}

const row = (path: string, patch: Partial<ParamRow>): ParamRow => ({ ...customRow(path), ...patch })

const base = {
  dataset: { name: 'fashion-mnist-small' },
  model: { kind: 'two-layer', hiddenDim: 50 },
  solver: { updateRule: 'sgd', numEpochs: 0 },
}

/** A form with one mistake in almost every field. */
function mistakes(): SweepForm {
  const form = formFromSpec({ version: 1, name: '', method: 'random', samples: 0, base, params: {} })
  form.params = [
    row('solver.optimConfig.learningRate', { kind: 'range', min: '-1', max: 'abc', scale: 'log' }),
    row('model.hiddenDim', { valuesText: '50, 1.5, 0' }),
    row('solver.batchSize', { kind: 'range', min: '50', max: '200', scale: 'log' }),
    row('model.hiddenDims', { valuesText: '100, 100' }),
    row('model.reg', { kind: 'range', min: '1e-4', max: '1', scale: 'log', steps: '3' }),
    row('solver.lrDecay', { valuesText: '0.9, 2' }),
    row('solver.lrDecay', { valuesText: '0.95' }),
  ]
  return form
}

describe('the sweep form’s checks', () => {
  it('show every problem at once, each on its own field, in English', () => {
    expect(shown(mistakes())).toEqual({
      name: ['Required'],
      samples: ['Must be at least 1'],
      'param.0.min': ['Must be above 0 on a log scale'],
      'param.0.max': ['Not a number'],
      'param.1.values': ['1.5: Must be a whole number', '0: Must be at least 1'],
      'param.2.integer': ['This field takes whole numbers: tick “Whole numbers”'],
      'param.3.path': ['The Two-layer net has no such field'],
      'param.4.steps': ['Only grid search uses steps: clear this'],
      'param.5.path': ['This field is varied twice: remove one'],
      'param.5.values': ['2: Must be at most 1'],
      'param.6.path': ['This field is varied twice: remove one'],
      base: ['Epochs: Must be at least 1'],
    })
  })

  it('and in Chinese, in the catalogue’s words', () => {
    const zh = shown(mistakes(), ZH)
    expect(zh).toMatchObject({
      name: ['必填'],
      samples: ['必须不小于 1'],
      'param.0.min': ['对数刻度下必须大于 0'],
      'param.0.max': ['不是数字'],
      'param.1.values': ['1.5：必须是整数', '0：必须不小于 1'],
      'param.2.integer': ['此字段只接受整数：请勾选“仅整数”'],
      'param.3.path': ['两层网络没有这个字段'],
      'param.4.steps': ['只有网格搜索使用步数：请清空此项'],
      base: ['轮数：必须不小于 1'],
    })
    // Not a word of English (the schema's or src-shared's) in any of them.
    for (const list of Object.values(zh)) for (const s of list) expect(s).not.toMatch(/[A-Za-z]{3,}/)
  })

  it('put every sentence src-shared writes for a sweep in the catalogue’s words', () => {
    const spec = (over: Record<string, unknown>, params: Record<string, unknown> = {}): SweepForm =>
      formFromSpec({ name: 's', method: 'grid', base: { ...base, solver: {} }, ...over, params })
    const range = { min: 1e-3, max: 1, scale: 'log', steps: 2 }
    const cases: [SweepForm, string, string][] = [
      [spec({}, { 'model.reg': { values: [1], min: 1 } }), 'param.0.min', 'notWithValues'],
      [spec({}, { 'model.reg': {} }), 'param.0.row', 'valuesOrRange'],
      [spec({}, { 'model.reg': { max: 1, scale: 'log', steps: 2 } }), 'param.0.min', 'requiredForRange'],
      [spec({}, { 'model.reg': { min: 1, max: 2, steps: 2 } }), 'param.0.scale', 'scaleRequired'],
      [
        spec({}, { 'model.reg': { min: 2, max: 1, scale: 'linear', steps: 2 } }),
        'param.0.max',
        'maxBelowMin',
      ],
      [spec({}, { 'model.reg': { min: 0, max: 1, scale: 'log', steps: 2 } }), 'param.0.min', 'logAboveZero'],
      [
        spec({}, { 'model.hiddenDim': { min: 1.2, max: 1.8, scale: 'linear', integer: true, steps: 2 } }),
        'param.0.integer',
        'noInteger',
      ],
      [formFromSpec({ name: 's', method: 'grid', base, params: 5 }), 'params', 'paramsObject'],
      [spec({}, { 'name.x': { values: [1] } }), 'param.0.path', 'reservedPath'],
      [spec({}, { model: { values: [{}] }, 'model.reg': range }), 'param.1.path', 'overlaps'],
      [spec({}, { '': { values: [1] } }), 'param.0.path', 'pathRequired'],
      [spec({}, { [Array(33).fill('a').join('.')]: { values: [1] } }), 'param.0.path', 'pathTooDeep'],
      [
        spec({}, JSON.parse('{"model.__proto__": {"values": [1]}}') as Record<string, unknown>),
        'param.0.path',
        'pathForbidden',
      ],
      [spec({}, { 'model.hiddenDims.2000': { values: [1] } }), 'param.0.path', 'pathIndex'],
      [spec({}, { 'model.hidden-dim': { values: [1] } }), 'param.0.path', 'pathSegment'],
      [formFromSpec({ name: 's', method: 'grid', base: 5, params: {} }), 'base', 'baseObject'],
      [spec({ method: 'random' }, {}), 'samples', 'samplesRequired'],
      [spec({ method: 'random', samples: 2 }, { 'model.reg': range }), 'param.0.steps', 'stepsGridOnly'],
      [spec({ samples: 2 }), 'samples', 'samplesRandomOnly'],
      [spec({ seed: 2 }), 'seed', 'seedRandomOnly'],
      [spec({}, { 'model.reg': { min: 1e-3, max: 1, scale: 'log' } }), 'param.0.steps', 'stepsRequired'],
      [
        spec(
          {},
          Object.fromEntries(
            [
              'model.reg',
              'model.weightScale',
              'solver.lrDecay',
              'solver.optimConfig.epsilon',
              'solver.optimConfig.learningRate',
            ].map((k) => [k, { min: 0.01, max: 1, scale: 'log', steps: 10 }]),
          ),
        ),
        'params',
        'gridTooLarge',
      ],
      [spec({}, { 'model.foo': { values: [1] } }), 'param.0.path', 'unknownField'],
      [
        formFromSpec({
          name: 's',
          method: 'grid',
          base: { ...base, solver: {}, model: { kind: 'fc', hiddenDims: [1] } },
          params: { 'model.hiddenDims.x': { values: [1] } },
        }),
        'param.0.path',
        'pathIntoList',
      ],
      [spec({}, { 'model.hiddenDim.x': { values: [1] } }), 'param.0.path', 'pathIntoValue'],
      [spec({ typo: 1 }), 'other', 'unknownKeys'],
    ]
    for (const [form, field, key] of cases) {
      const errors = checkSweepForm(form).errors
      const msgs = errors.get(field) ?? []
      expect(
        msgs.map((m) => ('key' in m ? m.key : m)),
        `${key}: ${JSON.stringify([...errors])}`,
      ).toContain(key)
      for (const list of errors.values())
        for (const m of list) expect(raw(m), `${key}: ${JSON.stringify(m)}`).toBe(false)
      // Every key reads as a sentence in both languages.
      for (const m of msgs) expect(ZH.msgText(m)).not.toBe(EN.msgText(m))
    }
  })

  it('map expandSweep’s dotted paths onto the form’s fields', () => {
    const form = formFromSpec({
      name: 's',
      method: 'grid',
      base,
      params: {
        'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log', steps: 3 },
        'model.hiddenDims': { values: [[1]] },
        'model.hiddenDims.0': { values: [2] },
      },
    })
    expect(fieldOfSpecPath(form, 'params.solver.optimConfig.learningRate.min')).toBe('param.0.min')
    expect(fieldOfSpecPath(form, 'params.solver.optimConfig.learningRate.steps')).toBe('param.0.steps')
    expect(fieldOfSpecPath(form, 'params.solver.optimConfig.learningRate')).toBe('param.0.row')
    expect(fieldOfSpecPath(form, 'params.model.hiddenDims')).toBe('param.1.values')
    expect(fieldOfSpecPath(form, 'params.model.hiddenDims.values.0')).toBe('param.1.values')
    expect(fieldOfSpecPath(form, 'params.model.hiddenDims.0')).toBe('param.2.values')
    expect(fieldOfSpecPath(form, 'params')).toBe('params')
    expect(fieldOfSpecPath(form, 'samples')).toBe('samples')
    expect(fieldOfSpecPath(form, 'base.solver.batchSize')).toBe('base')
    expect(fieldOfSpecPath(form, 'version')).toBe('other')
    // Its sentences with what it adds (which runs) keep their meaning.
    expect(fromText('required for grid search over a range')).toEqual({ key: 'stepsRequired' })
  })

  it('let a valid form through with exactly the runs expandSweep creates', () => {
    const form = formFromSpec(randomSearch)
    const check = checkSweepForm(form)
    expect(check.errors.size).toBe(0)
    const r = expandSweep(randomSearch)
    expect(r.ok && check.expanded).toEqual(r.ok && r.value)
    expect(check.expanded?.configs).toHaveLength(8)
  })
})
