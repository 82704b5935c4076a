import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listExamples } from './examples'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

describe('listExamples', () => {
  it('lists the shipped presets, runs and sweeps told apart', async () => {
    const examples = await listExamples(resolve(__dirname, '../../examples'))
    const byFile = Object.fromEntries(examples.map((e) => [e.file, e]))
    expect(byFile['seed-two-layer.json']).toMatchObject({ kind: 'run', name: 'Seed: two-layer net' })
    expect(byFile['seed-random-search.json']).toMatchObject({ kind: 'sweep', name: 'Seed: random search' })
    expect(byFile['fc-batchnorm.json']?.kind).toBe('run')
    expect((byFile['seed-two-layer.json']?.value as { model: unknown }).model).toMatchObject({
      hiddenDim: 50,
    })
    expect(examples.map((e) => e.file)).toEqual([...examples.map((e) => e.file)].sort())
  })

  it('classifies by method or params, names from the file when unnamed, skips files that are not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wb-examples-'))
    dirs.push(dir)
    await writeFile(join(dir, 'a.json'), JSON.stringify({ params: {} }))
    await writeFile(join(dir, 'b.json'), JSON.stringify({ method: 'grid', name: 'Grid' }))
    await writeFile(join(dir, 'c.json'), '{ not json')
    await writeFile(join(dir, 'd.json'), '[1]')
    await writeFile(join(dir, 'notes.md'), '# no')
    const warnings: string[] = []
    const examples = await listExamples(dir, (m) => warnings.push(m))
    expect(examples.map(({ file, kind, name }) => ({ file, kind, name }))).toEqual([
      { file: 'a.json', kind: 'sweep', name: 'a' },
      { file: 'b.json', kind: 'sweep', name: 'Grid' },
      { file: 'd.json', kind: 'run', name: 'd' },
    ])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('c.json')
  })

  it('is empty when the folder is missing', async () => {
    expect(await listExamples('/nonexistent/examples')).toEqual([])
  })
})
