/** The dist-time scripts' decisions that need no network or installer: OpenBLAS's asset and files, the host target. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { builderConfig } from './appArchive'
import { hostFlag } from './dist'
import { BLAS_OUT_DIR, filesToShip, openblasZipUrl } from './openblas'

const work = mkdtempSync(join(tmpdir(), 'wb-openblas-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('src-main/packaging/openblas.ts', () => {
  it('fetches the Windows x64 zip of an OpenBLAS release from GitHub', () => {
    expect(openblasZipUrl('0.3.31')).toBe(
      'https://github.com/OpenMathLib/OpenBLAS/releases/download/v0.3.31/OpenBLAS-0.3.31-x64.zip',
    )
    expect(() => openblasZipUrl('latest')).toThrow(/--version must look like 0\.3\.30, got 'latest'/)
  })

  it('ships the DLLs of bin/ and the licence, and refuses a zip without libopenblas.dll', () => {
    mkdirSync(join(work, 'bin'))
    for (const f of ['bin/libopenblas.dll', 'bin/openblas_config.exe', 'LICENSE', 'lib/libopenblas.lib']) {
      mkdirSync(join(work, f, '..'), { recursive: true })
      writeFileSync(join(work, f), 'x')
    }
    expect(filesToShip(work)).toEqual([join(work, 'bin', 'libopenblas.dll'), join(work, 'LICENSE')])
    expect(() => filesToShip(join(work, 'lib'))).toThrow(
      /has no libopenblas\.dll; is this OpenBLAS's Windows x64 zip\?/,
    )
  })

  it('leaves them where the Windows build copies them into resources/blas', () => {
    const { win } = builderConfig()
    expect(win.extraResources).toEqual([{ from: 'out/blas', to: 'blas', filter: ['*.dll', 'LICENSE*'] }])
    expect(BLAS_OUT_DIR).toBe(join(__dirname, '..', '..', 'out', 'blas'))
  })
})

describe('src-main/packaging/dist.ts', () => {
  it('builds for the host platform only', () => {
    expect(hostFlag('linux')).toBe('--linux')
    expect(hostFlag('darwin')).toBe('--mac')
    expect(hostFlag('win32')).toBe('--win')
    expect(() => hostFlag('freebsd')).toThrow(/no installer target for freebsd/)
  })
})
