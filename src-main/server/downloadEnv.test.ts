import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOURCES } from '../core/datasets'
import { testSource } from '../core/datasets/testing'
import { datasetOptionsFromEnv, MIRROR_ENV, SOURCES_ENV } from './downloadEnv'

describe('serve: dataset download settings from the environment', () => {
  let dir: string
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'wb-dlenv-'))))
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('nothing set: nothing changes', () => {
    expect(datasetOptionsFromEnv({})).toEqual({})
  })

  it('a mirror URL', () => {
    expect(datasetOptionsFromEnv({ [MIRROR_ENV]: 'http://127.0.0.1:9000/m' })).toEqual({
      downloadOptions: { mirror: 'http://127.0.0.1:9000/m' },
    })
    expect(() => datasetOptionsFromEnv({ [MIRROR_ENV]: 'not a url' })).toThrow(MIRROR_ENV)
    expect(() => datasetOptionsFromEnv({ [MIRROR_ENV]: 'file:///etc' })).toThrow(/http\(s\)/)
  })

  it('extra sources from a JSON file, validated, added to the published ones', async () => {
    const file = join(dir, 'sources.json')
    const extra = testSource('course-set', 'http://127.0.0.1/', { 'a.gz': new Uint8Array([1]) })
    await writeFile(file, JSON.stringify([extra]))
    const opts = datasetOptionsFromEnv({ [SOURCES_ENV]: file })
    expect(Object.keys(opts!.sources!)).toEqual([...Object.keys(SOURCES), 'course-set'])

    await writeFile(file, JSON.stringify([{ ...extra, files: [{ ...extra.files[0], md5: 'x' }] }]))
    expect(() => datasetOptionsFromEnv({ [SOURCES_ENV]: file })).toThrow(/\[0\]: source.files\[0\].md5/)
    await writeFile(file, JSON.stringify([{ ...extra, name: 'mnist' }]))
    expect(() => datasetOptionsFromEnv({ [SOURCES_ENV]: file })).toThrow(/'mnist' exists already/)
    await writeFile(file, '{')
    expect(() => datasetOptionsFromEnv({ [SOURCES_ENV]: file })).toThrow(/cannot read .* as JSON/)
    await writeFile(file, '{}')
    expect(() => datasetOptionsFromEnv({ [SOURCES_ENV]: file })).toThrow(/JSON array/)
  })
})
