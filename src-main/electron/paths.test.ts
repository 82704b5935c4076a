import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPaths } from './paths'

const ROOT = resolve(__dirname, '..', '..')
const base = {
  resourcesPath: '/opt/Workbench/resources',
  bundleDir: join(ROOT, 'out', 'main'),
  env: { HOME: '/home/me' },
}

describe('appPaths', () => {
  it('shares the data folder with the CLI, including WORKBENCH_DATA_DIR', () => {
    const p = appPaths({ ...base, isPackaged: false, env: { WORKBENCH_DATA_DIR: '/srv/wb' } })
    expect(p.dataDir).toBe('/srv/wb')
  })

  it('reads shipped files from the resources folder when packaged', () => {
    const p = appPaths({ ...base, isPackaged: true })
    expect(p.builtinDatasetsDir).toBe(join('/opt/Workbench/resources', 'datasets'))
    expect(p.examplesDir).toBe(join('/opt/Workbench/resources', 'examples'))
  })

  it('loads the worker from app.asar.unpacked when packaged (asarUnpack)', () => {
    const bundleDir = join('/opt/Workbench/resources', 'app.asar', 'out', 'main')
    const p = appPaths({ ...base, bundleDir, isPackaged: true })
    expect(p.workerFile).toBe(
      join('/opt/Workbench/resources', 'app.asar.unpacked', 'out', 'main', 'worker.js'),
    )
  })

  it('finds the checkout from the bundle folder, and the worker next to the main entry', () => {
    const p = appPaths({ ...base, isPackaged: false })
    expect(p.builtinDatasetsDir).toBe(join(ROOT, 'resources', 'datasets'))
    expect(p.examplesDir).toBe(join(ROOT, 'examples'))
    expect(p.workerFile).toBe(join(ROOT, 'out', 'main', 'worker.js'))
    expect(p.rendererDir).toBe(join(ROOT, 'out', 'renderer'))
    expect(appPaths({ ...base, isPackaged: true }).rendererDir).toBe(join(ROOT, 'out', 'renderer'))
  })
})
