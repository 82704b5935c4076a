import { describe, expect, it } from 'vitest'
import { formatFieldErrors, parseRunConfig, type RunConfig } from './config'
import { expandSweep } from './sweep'

/**
 * The web tsconfig also checks src-shared, without Node's types (the renderer has no Node), so node:fs is
 * imported untyped and only the calls used here are described.
 */
interface Fs {
  readdirSync(dir: URL): string[]
  readFileSync(file: URL, encoding: 'utf8'): string
  existsSync(path: URL): boolean
}
const fsModule = 'node:fs'
const fs = (await import(fsModule)) as Fs

const EXAMPLES = new URL('../examples/', import.meta.url)
const DATASETS = new URL('../resources/datasets/', import.meta.url)
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))

function read(file: string): unknown {
  return JSON.parse(fs.readFileSync(new URL(file, EXAMPLES), 'utf8'))
}

/** A sweep file has a method; anything else is a single run config. */
function runsOf(file: string): RunConfig[] {
  const json = read(file)
  const isSweep = typeof json === 'object' && json !== null && 'method' in json
  const r = isSweep ? expandSweep(json) : parseRunConfig(json)
  if (!r.ok) throw new Error(`${file}: ${formatFieldErrors(r.errors)}`)
  return 'configs' in r.value ? r.value.configs : [r.value]
}

describe('examples/', () => {
  it('holds the seed experiments', () => {
    expect(files).toEqual(expect.arrayContaining(['seed-two-layer.json', 'seed-random-search.json']))
  })

  it.each(files)('%s validates and trains on an embedded dataset', (file) => {
    const runs = runsOf(file)
    expect(runs.length).toBeGreaterThan(0)
    for (const run of runs) expect(fs.existsSync(new URL(run.dataset.name, DATASETS))).toBe(true)
  })

  it('README.md sweep examples expand', () => {
    const blocks =
      fs.readFileSync(new URL('README.md', EXAMPLES), 'utf8').match(/```json\n[\s\S]*?```/g) ?? []
    expect(blocks.length).toBeGreaterThan(0)
    for (const b of blocks) {
      const r = expandSweep(JSON.parse(b.slice('```json'.length, -3)))
      expect(r.ok ? 'ok' : formatFieldErrors(r.errors)).toBe('ok')
    }
  })

  it('seed-two-layer.json is the CS231n default two-layer run', () => {
    const [run] = runsOf('seed-two-layer.json')
    expect(run?.model).toEqual({ kind: 'two-layer', hiddenDim: 50, weightScale: 1e-3, reg: 0 })
    expect(run?.solver).toMatchObject({
      updateRule: 'sgd',
      optimConfig: { learningRate: 1e-3 },
      lrDecay: 0.95,
      batchSize: 100,
      numEpochs: 10,
    })
    expect(run?.dataset.name).toBe('fashion-mnist-small')
  })

  it('seed-random-search.json draws 8 reproducible two-layer runs', () => {
    const r = expandSweep(read('seed-random-search.json'))
    if (!r.ok) throw new Error(formatFieldErrors(r.errors))
    expect(r.value.spec.method).toBe('random')
    expect((read('seed-random-search.json') as { seed?: unknown }).seed).toBeTypeOf('number')
    const runs = r.value.configs
    expect(runs).toHaveLength(8)
    expect(new Set(runs.map((c) => c.name)).size).toBe(8)
    for (const c of runs) {
      expect(c.model.kind).toBe('two-layer')
      expect(c.tags).toContain('sweep:Seed: random search')
      expect(c.solver.optimConfig.learningRate).toBeGreaterThanOrEqual(1e-4)
      expect(c.solver.optimConfig.learningRate).toBeLessThanOrEqual(5e-3)
    }
  })
})
