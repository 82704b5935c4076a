import { describe, expect, it } from 'vitest'
import randomSearch from '../../../examples/seed-random-search.json'
import { RunConfigSchema } from '../../../src-shared/config'
import { expandSweep } from '../../../src-shared/sweep'
import { refineSweep } from '../../../src-shared/sweepRefine'
import { seedSweepSpec, sweepRun } from '../testing/sweepFixtures'
import { fieldsFor, MODEL_KINDS, SWEEP_FIELDS, sweepField } from './sweepFields'
import {
  customRow,
  formFromSpec,
  setMethod,
  setRowKind,
  specFromForm,
  suggestRow,
  type ParamRow,
  type SweepForm,
} from './sweepForm'

/** A form as data without what only lives in the form (row ids, steps put aside for later). */
function plain(form: SweepForm): unknown {
  return {
    ...form,
    params: form.params.map(({ id: _id, stepsAside: _s, ...rest }) => rest),
  }
}

/** Through the JSON view and back, as the tab does it. */
const viaJson = (form: SweepForm): SweepForm =>
  formFromSpec(JSON.parse(JSON.stringify(specFromForm(form), null, 2)) as unknown)

const base = {
  dataset: { name: 'fashion-mnist-small', numTraining: 1000, numValidation: 200, numTest: 200 },
  model: { kind: 'fc', hiddenDims: [50], normalization: null },
  solver: { updateRule: 'sgd', batchSize: 100, numEpochs: 2 },
}

function row(path: string, patch: Partial<ParamRow>): ParamRow {
  return { ...customRow(path), ...patch }
}

/** One param of every kind the form edits. */
function everyKind(method: 'grid' | 'random'): SweepForm {
  const steps = method === 'grid' ? '4' : ''
  const form = formFromSpec({ version: 1, name: 'all kinds', method, base, params: {} })
  if (method === 'random') {
    form.samples = '6'
    form.seed = '17'
  }
  form.params = [
    // A log range of reals.
    row('solver.optimConfig.learningRate', { kind: 'range', min: '1e-4', max: '1e-2', scale: 'log', steps }),
    // A linear range of reals bounded by 1.
    row('model.dropoutKeepRatio', { kind: 'range', min: '0.5', max: '1', scale: 'linear', steps }),
    // A range of whole numbers.
    row('solver.batchSize', { kind: 'range', min: '50', max: '200', scale: 'linear', integer: true, steps }),
    // A list of numbers.
    row('model.reg', { valuesMode: 'text', valuesText: '0, 1e-3, 0.01' }),
    // A list of lists (fc hidden sizes).
    row('model.hiddenDims', { valuesMode: 'text', valuesText: '100; 100, 100; 200, 200' }),
    // Choices, in the order they were picked.
    row('solver.updateRule', { valuesMode: 'options', valuesText: '', options: ['adam', 'sgd'] }),
    // A nullable choice: null is a value.
    row('model.normalization', { valuesMode: 'options', valuesText: '', options: [null, 'batchnorm'] }),
    // Any other field by its path, its values as JSON.
    row('solver.numTrainSamples', { valuesMode: 'json', valuesText: '[500, null]' }),
  ]
  return form
}

describe('the sweep form', () => {
  it.each(['grid', 'random'] as const)(
    'writes every kind of param as the spec says it, and reads it back the same (%s)',
    (method) => {
      const form = everyKind(method)
      const spec = specFromForm(form)
      const range = method === 'grid' ? { steps: 4 } : {}
      expect(spec).toEqual({
        version: 1,
        name: 'all kinds',
        method,
        ...(method === 'random' ? { samples: 6, seed: 17 } : {}),
        base,
        params: {
          'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log', ...range },
          'model.dropoutKeepRatio': { min: 0.5, max: 1, scale: 'linear', ...range },
          'solver.batchSize': { min: 50, max: 200, scale: 'linear', integer: true, ...range },
          'model.reg': { values: [0, 1e-3, 0.01] },
          'model.hiddenDims': { values: [[100], [100, 100], [200, 200]] },
          'solver.updateRule': { values: ['adam', 'sgd'] },
          'model.normalization': { values: [null, 'batchnorm'] },
          'solver.numTrainSamples': { values: [500, null] },
        },
      })
      // The grid order of the params is the form's order.
      expect(Object.keys(spec.params as object)).toEqual(form.params.map((r) => r.path))
      const back = viaJson(form)
      // Numbers come back in the shortest text that reads as them (1e-4 -> 0.0001); everything else as typed.
      expect(back.params.map((r) => [r.min, r.max])).toEqual([
        ['0.0001', '0.01'],
        ['0.5', '1'],
        ['50', '200'],
        ...Array(5).fill(['', '']),
      ])
      expect(back.params[3]!.valuesText).toBe('0, 0.001, 0.01')
      expect(plain(viaJson(back))).toEqual(plain(back))
      expect(specFromForm(back)).toEqual(spec)
      // And the spec is one expandSweep accepts.
      const r = expandSweep(spec)
      expect(r.ok).toBe(true)
    },
  )

  it('keeps exactly what a form was, through the JSON view', () => {
    for (const form of [everyKind('grid'), everyKind('random'), formFromSpec(randomSearch)]) {
      // Texts as a person types them survive: a form written in the form's own words reads back equal.
      const once = viaJson(form)
      expect(plain(viaJson(once))).toEqual(plain(once))
      expect(specFromForm(once)).toEqual(specFromForm(form))
    }
    // The examples and drafts as they are: read into the form and written back, the same data.
    const draft = refineSweep(seedSweepSpec(), [
      sweepRun('s', { hidden: 100, lr: 1e-3, epochs: 5, reg: 0.01 }, 0.8),
      sweepRun('s', { hidden: 50, lr: 2e-3, epochs: 10, reg: 0.1 }, 0.7),
    ])
    for (const spec of [randomSearch, draft, seedSweepSpec()]) {
      expect(specFromForm(formFromSpec(spec))).toEqual(spec)
    }
  })

  it('carries what it has no control for, so the JSON view can hold anything', () => {
    const odd = {
      version: 1,
      name: 'odd',
      method: 'random',
      samples: '8',
      typo: true,
      base: [1, 2],
      params: {
        'model.hiddenDim': { values: [50, 'x'], min: 1 },
        'solver.optimConfig.learningRate': {
          min: '1e-3',
          max: 1e-2,
          scale: 'cubic',
          integer: 'no',
          stepz: 3,
        },
        'solver.updateRule': { values: ['sgd', 'sgd', 'nesterov'] },
        'model.hiddenDims': { values: [[]] },
        'dataset.name': { values: ['a', 'b'] },
        seed: 5,
      },
    }
    const form = formFromSpec(odd)
    expect(specFromForm(form)).toEqual(odd)
    // Each shows in the control it can: the strange values in JSON, a scale as written.
    expect(form.params[0]!.valuesMode).toBe('text')
    expect(form.params[0]!.valuesText).toBe('50, x')
    expect(form.params[1]!.scale).toBe('cubic')
    expect(form.params[2]!.valuesMode).toBe('json')
    expect(form.params[3]!.valuesMode).toBe('json')
    expect(form.params[4]!.valuesMode).toBe('json')
    // Typing a number into a field whose value was kept replaces it.
    form.samples = '5'
    expect(specFromForm(form).samples).toBe(5)
    // A spec without params is not one with none.
    expect('params' in specFromForm(formFromSpec({ name: 'x', method: 'grid', base: {} }))).toBe(false)
  })

  it('puts grid steps aside for random search and back', () => {
    const form = everyKind('grid')
    setMethod(form, 'random')
    expect(form.samples).toBe('8')
    expect(form.params.filter((r) => r.kind === 'range').map((r) => r.steps)).toEqual(['', '', ''])
    setMethod(form, 'grid')
    expect(form.params.filter((r) => r.kind === 'range').map((r) => r.steps)).toEqual(['4', '4', '4'])
    expect(form.samples).toBe('')
  })

  it('switches a param between a range and a list', () => {
    const form = everyKind('grid')
    const lr = form.params[0]!
    setRowKind(lr, 'values', 'grid')
    expect(specFromForm(form).params).toMatchObject({
      'solver.optimConfig.learningRate': { values: [1e-4, 1e-2] },
    })
    setRowKind(lr, 'range', 'grid')
    expect((specFromForm(form).params as Record<string, unknown>)['solver.optimConfig.learningRate']).toEqual(
      {
        min: 1e-4,
        max: 1e-2,
        scale: 'log',
        steps: 4,
      },
    )
  })

  it('suggests a first param that expandSweep accepts, for every field the base has', () => {
    for (const kind of MODEL_KINDS) {
      const b = { dataset: { name: 'd' }, model: { kind } }
      for (const f of fieldsFor(kind)) {
        for (const method of ['grid', 'random'] as const) {
          const form = formFromSpec({ name: 's', method, base: b, params: {} })
          if (method === 'random') form.samples = '3'
          form.params = [suggestRow(f, b, method)]
          const r = expandSweep(specFromForm(form))
          expect(r.ok ? [] : r.errors, `${kind} ${f.path} ${method}`).toEqual([])
        }
      }
    }
    // Rates a decade either side of the base's value, on a log scale.
    const lr = suggestRow(
      sweepField('solver.optimConfig.learningRate')!,
      { solver: { optimConfig: { learningRate: 1e-3 } } },
      'random',
    )
    expect([lr.kind, lr.min, lr.max, lr.scale]).toEqual(['range', '0.0001', '0.01', 'log'])
    const hidden = suggestRow(sweepField('model.hiddenDims')!, base, 'random')
    expect(hidden.valuesText).toBe('50; 100')
  })
})

describe('the sweepable fields', () => {
  it('come from the config schema: every number, choice and list of numbers, per model kind', () => {
    expect(MODEL_KINDS).toEqual(['two-layer', 'fc', 'three-layer-conv'])
    const paths = SWEEP_FIELDS.map((f) => f.path)
    for (const p of [
      'solver.optimConfig.learningRate',
      'model.reg',
      'model.hiddenDim',
      'model.hiddenDims',
      'solver.batchSize',
      'solver.numEpochs',
      'model.dropoutKeepRatio',
      'solver.updateRule',
      'model.normalization',
      'seed',
    ])
      expect(paths).toContain(p)
    for (const p of ['name', 'tags', 'notes', 'version', 'model.kind', 'dataset.name'])
      expect(paths).not.toContain(p)
    expect(sweepField('model.hiddenDims')!.modelKinds).toEqual(['fc'])
    expect(sweepField('model.hiddenDim')!.modelKinds).toEqual(['two-layer', 'three-layer-conv'])
    expect(fieldsFor('fc').map((f) => f.path)).not.toContain('model.hiddenDim')
    expect(fieldsFor('two-layer').map((f) => f.path)).not.toContain('model.hiddenDims')
    expect(sweepField('solver.batchSize')!.type).toEqual({ kind: 'number', int: true, min: 0, max: 65536 })
    expect(sweepField('model.normalization')!.type).toEqual({
      kind: 'choice',
      options: [null, 'batchnorm', 'layernorm'],
    })
  })

  it('are every leaf of a run config that a person would vary (none is missed)', () => {
    // Every leaf of a complete config of each kind is either offered or deliberately left out.
    const leaves = (v: unknown, at: string): string[] =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v).flatMap(([k, x]) => leaves(x, at ? `${at}.${k}` : k))
        : [at]
    const offered = new Set(SWEEP_FIELDS.map((f) => f.path))
    const leftOut = new Set(['version', 'name', 'tags', 'notes', 'model.kind', 'dataset.name'])
    for (const kind of MODEL_KINDS) {
      const config = RunConfigSchema.parse({
        name: 'x',
        seed: 1,
        dataset: { name: 'd', numTraining: 1, numValidation: 1, numTest: 1 },
        model: { kind },
        solver: { optimConfig: { momentum: 0.9, decayRate: 0.9, beta1: 0.9, beta2: 0.9, epsilon: 1e-8 } },
      })
      for (const p of leaves(config, '')) expect(offered.has(p) || leftOut.has(p), p).toBe(true)
    }
  })
})
