import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPaths, appRoot } from './appPaths'

const ROOT = resolve(__dirname, '../..')

describe('app paths', () => {
  it('finds the app root from the source, the bundle and a bundle chunk', () => {
    expect(appRoot()).toBe(ROOT)
    expect(appRoot(join(ROOT, 'out', 'main'))).toBe(ROOT)
    expect(appRoot(join(ROOT, 'out', 'main', 'chunks'))).toBe(ROOT)
  })

  it('names the examples, built-in datasets and UI build; the source worker from source', () => {
    const p = appPaths()
    expect(existsSync(join(p.examplesDir, 'seed-two-layer.json'))).toBe(true)
    expect(existsSync(join(p.builtinDatasetsDir, 'fashion-mnist-small'))).toBe(true)
    expect(p.staticDir).toBe(join(ROOT, 'out', 'renderer'))
    expect(p.workerFile).toBeUndefined()
  })
})
