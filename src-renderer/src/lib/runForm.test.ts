import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import type { DatasetSummary } from '../../../src-shared/contract'
import { datasetSummary } from '../testing/datasetFixtures'
import seedTwoLayer from '../../../examples/seed-two-layer.json'
import fcBatchnorm from '../../../examples/fc-batchnorm.json'
import { defaultForm, fieldOf, formFromConfig, formToInput, suggestName, validateForm } from './runForm'

/** Each field's issue code (what the UI words), or its message where it has none. */
const messages = (
  errors: Map<string, { message: string; issue?: { code: string } }>,
): Record<string, string> => Object.fromEntries([...errors].map(([k, e]) => [k, e.issue?.code ?? e.message]))

const EMBEDDED: DatasetSummary = datasetSummary({
  name: 'fashion-mnist-small',
  source: 'builtin',
  format: 'idx',
  counts: { train: 6000, test: 1000 },
  shape: [1, 28, 28],
  classNames: [],
  sizeOnDisk: 1,
})

describe('the run form', () => {
  it('starts from the seed’s defaults, which the schema accepts once named', () => {
    const form = defaultForm()
    form.name = 'seed'
    const { input, errors } = validateForm(form)
    expect(errors.size).toBe(0)
    const config = RunConfigSchema.parse(input)
    expect(config.dataset.name).toBe('fashion-mnist-small')
    expect(config.model).toEqual({ kind: 'two-layer', hiddenDim: 50, weightScale: 1e-3, reg: 0 })
    expect(config.solver).toMatchObject({
      updateRule: 'sgd',
      optimConfig: { learningRate: 1e-3 },
      lrDecay: 0.95,
      batchSize: 100,
      numEpochs: 10,
    })
    expect(config.seed).toBeUndefined()
  })

  it('puts the schema’s issue, with the field’s bounds, on the field it belongs to', () => {
    const form = defaultForm()
    form.name = '  '
    form.solver.learningRate = '-1'
    form.solver.batchSize = '2.5'
    form.solver.lrDecay = '1.5'
    const m = messages(validateForm(form).errors)
    expect(Object.keys(m).sort()).toEqual([
      'name',
      'solver.batchSize',
      'solver.lrDecay',
      'solver.optimConfig.learningRate',
    ])
    expect(m.name).toBe('required')
    const errors = validateForm(form).errors
    expect(errors.get('solver.optimConfig.learningRate')?.issue).toEqual({
      code: 'number',
      integer: false,
      min: { value: 0, inclusive: false },
      max: null,
    })
    expect(errors.get('solver.batchSize')?.issue).toEqual({
      code: 'number',
      integer: true,
      min: { value: 1, inclusive: true },
      max: { value: 65536, inclusive: true },
    })
    expect(errors.get('solver.lrDecay')?.issue).toEqual({
      code: 'number',
      integer: false,
      min: { value: 0, inclusive: false },
      max: { value: 1, inclusive: true },
    })
  })

  it('refuses a blank required number instead of filling the schema’s default', () => {
    const form = defaultForm()
    form.name = 'x'
    form.twoLayer.hiddenDim = ''
    form.solver.numEpochs = ' '
    const { input, errors } = validateForm(form)
    expect(messages(errors)).toEqual({ 'model.hiddenDim': 'required', 'solver.numEpochs': 'required' })
    expect(input.model).not.toHaveProperty('hiddenDim')
    // Split sizes, optimizer extras and the seed may be blank: they mean "the default".
    const ok = defaultForm()
    ok.name = 'x'
    ok.solver.updateRule = 'adam'
    expect(validateForm(ok).errors.size).toBe(0)
  })

  it('refuses an empty list of hidden layer sizes', () => {
    const form = defaultForm()
    form.name = 'fc'
    form.kind = 'fc'
    form.fc.hiddenDims = ' , '
    expect(messages(validateForm(form).errors)).toEqual({ 'model.hiddenDims': 'noLayers' })
  })

  it('refuses what the chosen dataset cannot give: a batch larger than the training split, too many images', () => {
    const form = defaultForm()
    form.name = 'x'
    form.solver.batchSize = '5401'
    // The embedded set trains on 5,400 images by default (600 validate).
    expect(validateForm(form, EMBEDDED).errors.get('solver.batchSize')?.issue).toEqual({
      code: 'batchTooLarge',
      batchSize: 5401,
      numTraining: 5400,
    })
    form.solver.batchSize = '5400'
    expect(validateForm(form, EMBEDDED).errors.size).toBe(0)
    form.dataset.numTraining = '200'
    form.solver.batchSize = '256'
    expect(messages(validateForm(form, EMBEDDED).errors)).toEqual({ 'solver.batchSize': 'batchTooLarge' })
    form.dataset.numTraining = '5500'
    form.dataset.numTest = '1001'
    expect(messages(validateForm(form, EMBEDDED).errors)).toEqual({
      'dataset.numTraining': 'trainSplitTooLarge',
      'dataset.numTest': 'testSplitTooLarge',
    })
    // Without the dataset's sizes (still loading) only the schema decides.
    expect(validateForm(form).errors.size).toBe(0)
    // Shown with the other problems of the form, not only once they are fixed.
    form.dataset.numTraining = ''
    form.dataset.numTest = ''
    form.solver.batchSize = '6000'
    form.twoLayer.hiddenDim = ''
    expect(messages(validateForm(form, EMBEDDED).errors)).toEqual({
      'model.hiddenDim': 'required',
      'solver.batchSize': 'batchTooLarge',
    })
  })

  it('flags text that is not a number before the schema sees it', () => {
    const form = defaultForm()
    form.name = 'x'
    form.twoLayer.hiddenDim = 'fifty'
    form.solver.learningRate = '1e-3x'
    const m = messages(validateForm(form).errors)
    expect(m['model.hiddenDim']).toBe('notANumber')
    expect(m['solver.optimConfig.learningRate']).toBe('notANumber')
  })

  it('accepts scientific notation and leaves blank optional fields to the defaults', () => {
    const form = defaultForm()
    form.name = 'adam'
    form.solver.updateRule = 'adam'
    form.solver.learningRate = '5E-4'
    form.solver.beta1 = '0.8'
    form.solver.momentum = '0.5' // not an adam setting: left out
    const { input, errors } = formToInput(form)
    expect(errors).toEqual([])
    expect(input.solver).toMatchObject({
      updateRule: 'adam',
      optimConfig: { learningRate: 5e-4, beta1: 0.8 },
    })
    expect((input.solver as { optimConfig: object }).optimConfig).not.toHaveProperty('momentum')
  })

  it('builds fully connected nets from a list of sizes and puts list errors on the list', () => {
    const form = defaultForm()
    form.name = 'fc'
    form.kind = 'fc'
    form.fc.hiddenDims = '200, 0'
    form.fc.normalization = 'layernorm'
    const { input, errors } = validateForm(form)
    expect(input.model).toMatchObject({ kind: 'fc', hiddenDims: [200, 0], normalization: 'layernorm' })
    expect([...errors.keys()]).toEqual(['model.hiddenDims'])
    // The second size is wrong: the message says which.
    expect(errors.get('model.hiddenDims')).toMatchObject({
      item: 2,
      issue: { code: 'number', integer: true },
    })
    form.fc.hiddenDims = '100 abc'
    expect(messages(validateForm(form).errors)['model.hiddenDims']).toBe('notAList')
  })

  it('maps list items to their list field', () => {
    expect(fieldOf('tags.3')).toBe('tags')
    expect(fieldOf('model.hiddenDims.0')).toBe('model.hiddenDims')
    expect(fieldOf('solver.optimConfig.learningRate')).toBe('solver.optimConfig.learningRate')
  })

  it('loads the examples as presets, round-tripping their configs', () => {
    for (const example of [seedTwoLayer, fcBatchnorm]) {
      const { input, errors } = validateForm(formFromConfig(example))
      expect(errors.size).toBe(0)
      expect(RunConfigSchema.parse(input)).toEqual(RunConfigSchema.parse(example))
    }
  })

  it('suggests a name from the config', () => {
    expect(suggestName(defaultForm())).toBe('2-layer 50 · sgd lr 1e-3')
    const fc = formFromConfig(fcBatchnorm)
    expect(suggestName(fc)).toBe('fc 100-100 bn · adam lr 0.001')
  })
})
