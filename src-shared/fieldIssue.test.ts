import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from './config'
import { checkRunConfig, configNumberRule, describeIssue, type NumberRule } from './fieldIssue'

const base = { name: 'x', dataset: { name: 'fashion-mnist-small' } }
const MODELS = {
  'two-layer': { kind: 'two-layer' },
  fc: { kind: 'fc' },
  'three-layer-conv': { kind: 'three-layer-conv' },
} as const

/** A config with `value` at `path` (model fields on a model of `kind`). */
function withValue(path: string, value: unknown, kind: keyof typeof MODELS = 'two-layer'): unknown {
  const c = structuredClone({ ...base, model: MODELS[kind], solver: { optimConfig: { learningRate: 1e-3 } } })
  const segs = path.split('.')
  let o = c as Record<string, unknown>
  segs.slice(0, -1).forEach((s, i) => {
    o = (o[s] ??= /^\d+$/.test(segs[i + 1]!) ? [] : {}) as Record<string, unknown>
  })
  o[segs.at(-1)!] = value
  return c
}

const NUMERIC: [string, keyof typeof MODELS][] = [
  ['dataset.numTraining', 'two-layer'],
  ['dataset.numValidation', 'two-layer'],
  ['dataset.numTest', 'two-layer'],
  ['model.hiddenDim', 'two-layer'],
  ['model.weightScale', 'two-layer'],
  ['model.reg', 'two-layer'],
  ['model.hiddenDims.0', 'fc'],
  ['model.dropoutKeepRatio', 'fc'],
  ['model.numFilters', 'three-layer-conv'],
  ['model.filterSize', 'three-layer-conv'],
  ['solver.optimConfig.learningRate', 'two-layer'],
  ['solver.optimConfig.momentum', 'two-layer'],
  ['solver.optimConfig.decayRate', 'two-layer'],
  ['solver.optimConfig.beta1', 'two-layer'],
  ['solver.optimConfig.beta2', 'two-layer'],
  ['solver.optimConfig.epsilon', 'two-layer'],
  ['solver.lrDecay', 'two-layer'],
  ['solver.batchSize', 'two-layer'],
  ['solver.numEpochs', 'two-layer'],
  ['seed', 'two-layer'],
]

const accepts = (path: string, v: unknown, kind: keyof typeof MODELS): boolean =>
  RunConfigSchema.safeParse(withValue(path, v, kind)).success

describe('the numeric rules read from the run-config schema', () => {
  it.each(NUMERIC)('%s: the schema accepts exactly what the rule says', (path, kind) => {
    const rule = configNumberRule(path) as NumberRule
    expect(rule, path).not.toBeNull()
    const { min, max, integer } = rule
    if (min) {
      expect(accepts(path, min.value, kind)).toBe(min.inclusive)
      expect(accepts(path, min.value - (integer ? 1 : 1e-9), kind)).toBe(false)
    }
    if (max) {
      expect(accepts(path, max.value, kind)).toBe(max.inclusive)
      expect(accepts(path, max.value + (integer ? 1 : 1e-9), kind)).toBe(false)
    }
    const inside = min && max ? (min.value + max.value) / 2 : min ? min.value + 1 : max ? max.value - 1 : 1
    expect(accepts(path, integer ? Math.ceil(inside) : inside, kind)).toBe(true)
    if (integer) expect(accepts(path, Math.ceil(inside) + 0.5, kind)).toBe(false)
  })

  it('says "at least 1" for a whole number greater than 0, and keeps exclusive real bounds', () => {
    expect(configNumberRule('solver.batchSize')).toEqual({
      integer: true,
      min: { value: 1, inclusive: true },
      max: { value: 65536, inclusive: true },
    })
    expect(configNumberRule('solver.optimConfig.beta1')).toEqual({
      integer: false,
      min: { value: 0, inclusive: true },
      max: { value: 1, inclusive: false },
    })
    expect(configNumberRule('name')).toBeNull()
    expect(configNumberRule('model.nothing')).toBeNull()
  })
})

describe('describeIssue', () => {
  const issuesOf = (input: unknown) => {
    const r = checkRunConfig(input)
    if (r.ok) throw new Error('expected errors')
    return Object.fromEntries(r.errors.map((e) => [e.path, e]))
  }

  it('gives every schema issue of a config a code, with the bounds, list position and options', () => {
    const e = issuesOf({
      name: ' ',
      version: 2,
      tags: ['ok', 'x'.repeat(65)],
      dataset: { name: 'Not/A/Name' },
      model: { kind: 'fc', hiddenDims: [100, 0], normalization: 'groupnorm', extra: 1 },
      solver: { batchSize: 2.5, optimConfig: { learningRate: 0 } },
    })
    expect(e['name']?.issue).toEqual({ code: 'required' })
    expect(e['version']?.issue).toEqual({ code: 'oneOf', options: ['1'] })
    expect(e['tags.1']).toMatchObject({ item: 2, issue: { code: 'textTooLong', max: 64 } })
    expect(e['dataset.name']?.issue).toEqual({ code: 'datasetName' })
    expect(e['model.hiddenDims.1']).toMatchObject({ item: 2, issue: { code: 'number', integer: true } })
    expect(e['model.normalization']?.issue).toEqual({ code: 'oneOf', options: ['batchnorm', 'layernorm'] })
    expect(e['model']?.issue).toEqual({ code: 'unknownFields', keys: ['extra'] })
    expect(e['solver.batchSize']?.issue).toMatchObject({ code: 'number', integer: true })
    expect(e['solver.optimConfig.learningRate']?.issue).toMatchObject({ code: 'number', integer: false })
    // The English message stays for the CLI.
    expect(e['solver.batchSize']?.message).toMatch(/int/)
  })

  it('tells a missing field from a wrong one, and names a model kind that does not exist', () => {
    const e = issuesOf({ dataset: {}, model: { kind: 'resnet' }, tags: ['\uD800'] })
    expect(e['name']?.issue).toEqual({ code: 'required' })
    expect(e['dataset.name']?.issue).toEqual({ code: 'required' })
    expect(e['model.kind']?.issue).toEqual({
      code: 'oneOf',
      options: ['two-layer', 'fc', 'three-layer-conv'],
    })
    expect(e['tags.0']).toMatchObject({ item: 1, issue: { code: 'brokenText' } })
    const wrong = issuesOf({ ...base, name: 7, model: { kind: 'fc', hiddenDims: '100' } })
    expect(wrong['name']?.issue).toEqual({ code: 'notText' })
    expect(wrong['model.hiddenDims']?.issue).toEqual({ code: 'notAList' })
  })

  it('words an issue outside the run config as invalid rather than guessing', () => {
    const r = RunConfigSchema.safeParse({ ...base, model: { kind: 'two-layer' }, notes: 5 })
    expect(r.success).toBe(false)
    const [first] = r.error!.issues
    expect(describeIssue(first!).issue).toEqual({ code: 'notText' })
  })
})
