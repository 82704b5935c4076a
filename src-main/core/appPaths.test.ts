import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPaths, appRoot, unpackedPath } from './appPaths'

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

  it('reads a packaged app: datasets and examples beside app.asar, the worker unpacked', () => {
    const resources = join('/opt/Workbench/resources')
    const p = appPaths(join(resources, 'app.asar'))
    expect(p.builtinDatasetsDir).toBe(join(resources, 'datasets'))
    expect(p.examplesDir).toBe(join(resources, 'examples'))
    expect(p.staticDir).toBe(join(resources, 'app.asar', 'out', 'renderer'))
    expect(p.workerFile).toBe(join(resources, 'app.asar.unpacked', 'out', 'main', 'worker.js'))
  })

  it('maps a path inside app.asar to app.asar.unpacked and leaves others alone', () => {
    expect(unpackedPath('/r/app.asar/out/main/worker.js')).toBe('/r/app.asar.unpacked/out/main/worker.js')
    expect(unpackedPath('C:\\W\\resources\\app.asar\\x.node')).toBe(
      'C:\\W\\resources\\app.asar.unpacked\\x.node',
    )
    expect(unpackedPath('/src/workbench/out/main/worker.js')).toBe('/src/workbench/out/main/worker.js')
  })
})
