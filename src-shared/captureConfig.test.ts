import { describe, expect, it } from 'vitest'
import { RunConfigSchema, parseRunConfig } from './config'

const base = { name: 'c', dataset: { name: 'tiny' }, model: { kind: 'two-layer' } }

describe('captureLayers', () => {
  it('is absent by default (capture on) and takes true or false', () => {
    const plain = parseRunConfig(base)
    expect(plain.ok && 'captureLayers' in plain.value).toBe(false)
    for (const v of [true, false]) {
      const r = parseRunConfig({ ...base, captureLayers: v })
      expect(r.ok && r.value.captureLayers).toBe(v)
    }
  })

  it('refuses anything but a boolean, naming the field', () => {
    const r = parseRunConfig({ ...base, captureLayers: 'no' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.map((e) => e.path)).toEqual(['captureLayers'])
  })

  it('documents itself in the schema', () => {
    expect(RunConfigSchema.shape.captureLayers.description).toMatch(/default true/)
  })
})
