import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from './config'
import type { RunRecord } from './runs'
import { applyEdit, MAX_TAGS, overlayMeta, parseRunEdit, RunMetaSchema, tagEditFromArgs } from './runMeta'

const record = (over: Partial<RunRecord['config']> = {}, archived?: boolean): RunRecord => ({
  id: '20261126-194501-ab12cd',
  config: RunConfigSchema.parse({
    name: 'run',
    tags: ['a', 'b'],
    dataset: { name: 'fashion-mnist-small' },
    model: { kind: 'two-layer' },
    ...over,
  }),
  status: 'completed',
  sweepId: null,
  createdAt: '2026-11-26T19:45:01.000Z',
  startedAt: null,
  finishedAt: null,
  progress: { iteration: 0, numIterations: 1, epoch: 0, numEpochs: 1 },
  result: null,
  error: null,
  environment: null,
  checkpointEpoch: 0,
  ...(archived === undefined ? {} : { archived }),
})

describe('parseRunEdit', () => {
  it('takes each field with the config schema and trims names and tags', () => {
    expect(parseRunEdit({ name: '  x ', addTags: [' t '], archived: true })).toEqual({
      ok: true,
      value: { name: 'x', addTags: ['t'], archived: true },
    })
  })

  it('names every bad field under edit', () => {
    const r = parseRunEdit({ name: '', addTags: 'a', removeTags: [1], archived: 1, colour: 'red' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors.map((e) => e.path).sort()).toEqual(
      ['edit.addTags', 'edit.archived', 'edit.colour', 'edit.name', 'edit.removeTags.0'].sort(),
    )
    expect(parseRunEdit({})).toMatchObject({ ok: false, errors: [{ path: 'edit' }] })
    expect(parseRunEdit({ notes: '\uD800' })).toMatchObject({
      ok: false,
      errors: [{ path: 'edit.notes', message: expect.stringContaining('lone surrogate') }],
    })
  })
})

describe('applyEdit', () => {
  it('removes, then adds, each tag once and in order; other fields kept', () => {
    const m = applyEdit(record(), { removeTags: ['a', 'zz'], addTags: ['c', 'b', 'c'] }, 'now')
    expect(m).toEqual({
      version: 1,
      name: 'run',
      tags: ['b', 'c'],
      notes: '',
      archived: false,
      updatedAt: 'now',
    })
    expect(applyEdit(record(), { removeTags: ['a'], addTags: ['a'] }).tags).toEqual(['b', 'a'])
    expect(applyEdit(record({}, true), { notes: 'n\nm' })).toMatchObject({ archived: true, notes: 'n\nm' })
    expect(RunMetaSchema.safeParse(m).success).toBe(true)
  })

  it('refuses more tags than a run may have', () => {
    const tags = Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`)
    expect(applyEdit(record({ tags: [] }), { addTags: tags }).tags).toHaveLength(MAX_TAGS)
    expect(() => applyEdit(record(), { addTags: tags })).toThrow(/at most 64 tags; this one would have 66/)
  })
})

describe('overlayMeta', () => {
  it('lays the edited fields over the record; without meta the record is as stored', () => {
    const r = record()
    expect(overlayMeta(r, null)).toBe(r)
    const o = overlayMeta(r, applyEdit(r, { name: 'new', archived: true }))
    expect(o.config.name).toBe('new')
    expect(o.archived).toBe(true)
    expect(o.config.dataset).toEqual(r.config.dataset)
    expect(r.config.name).toBe('run')
  })
})

describe('tagEditFromArgs', () => {
  it('reads +a -b and bare words', () => {
    expect(tagEditFromArgs(['+a', '-b', 'c', '+d e'])).toEqual({
      addTags: ['a', 'c', 'd e'],
      removeTags: ['b'],
    })
    expect(() => tagEditFromArgs(['+'])).toThrow('tags: "+" names no tag')
  })
})
