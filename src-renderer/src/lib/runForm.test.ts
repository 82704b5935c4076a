import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import seedTwoLayer from '../../../examples/seed-two-layer.json'
import fcBatchnorm from '../../../examples/fc-batchnorm.json'
import { defaultForm, fieldOf, formFromConfig, formToInput, suggestName, validateForm } from './runForm'

const messages = (errors: Map<string, { message: string; key?: string }>): Record<string, string> =>
  Object.fromEntries([...errors].map(([k, e]) => [k, e.key ?? e.message]))

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

  it('shows the schema’s message on the field it belongs to', () => {
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
    expect(m.name).toBe('a name is required')
    expect(m['solver.optimConfig.learningRate']).toMatch(/>\s*0|positive/i)
    expect(m['solver.batchSize']).toMatch(/int/i)
  })

  it('flags text that is not a number before the schema sees it', () => {
    const form = defaultForm()
    form.name = 'x'
    form.twoLayer.hiddenDim = 'fifty'
    form.solver.learningRate = '1e-3x'
    const m = messages(validateForm(form).errors)
    expect(m['model.hiddenDim']).toBe('form.notANumber')
    expect(m['solver.optimConfig.learningRate']).toBe('form.notANumber')
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
    form.fc.hiddenDims = '100 abc'
    expect(messages(validateForm(form).errors)['model.hiddenDims']).toBe('form.notAList')
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
