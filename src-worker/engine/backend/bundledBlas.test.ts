import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundledBlasLib } from './native'

describe('the OpenBLAS DLL shipped with the Windows app', () => {
  const packagedAddon = join('/Apps/Workbench/resources/app.asar.unpacked/build/Release/workbench_blas.node')
  const checkoutAddon = join('/src/workbench/build/Release/workbench_blas.node')

  it('is looked for in <resources>/blas beside app.asar.unpacked when packaged', () => {
    const seen: string[] = []
    const found = bundledBlasLib(packagedAddon, 'win32', (p) => (seen.push(p), true))
    expect(found).toBe(join('/Apps/Workbench/resources/blas/libopenblas.dll'))
    expect(seen).toEqual([found])
  })

  it('is looked for in out/blas, where src-main/packaging/openblas.ts puts it, in a checkout', () => {
    expect(bundledBlasLib(checkoutAddon, 'win32', () => true)).toBe(
      join('/src/workbench/out/blas/libopenblas.dll'),
    )
  })

  it('is not used when absent (the system search applies) or on other platforms', () => {
    expect(bundledBlasLib(packagedAddon, 'win32', () => false)).toBeUndefined()
    expect(bundledBlasLib(packagedAddon, 'linux', () => true)).toBeUndefined()
    expect(bundledBlasLib(packagedAddon, 'darwin', () => true)).toBeUndefined()
  })
})
