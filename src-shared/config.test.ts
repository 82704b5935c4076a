import { describe, expect, it } from 'vitest'
import { parseRunConfig } from './config'

const base = { dataset: { name: 'fashion-mnist-small' }, model: { kind: 'two-layer' } }

describe('run config text fields', () => {
  it('refuse lone surrogates (half a character) in the name, tags and notes', () => {
    const r = parseRunConfig({ ...base, name: 'lr \ud800 sweep', tags: ['ok', 'x\udc00'], notes: 'a\ud83d' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors.map((e) => e.path).sort()).toEqual(['name', 'notes', 'tags.1'])
    expect(r.errors[0]!.message).toBe('not valid Unicode (a lone surrogate): re-type it')
  })

  it('accept any well-formed text, astral characters included, and trim the name', () => {
    const r = parseRunConfig({ ...base, name: '  实验 😀 café ', tags: ['基线'], notes: '😀\n' })
    expect(r.ok && r.value.name).toBe('实验 😀 café')
  })
})
