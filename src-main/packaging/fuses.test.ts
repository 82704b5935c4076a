/**
 * The fuses electron-builder flips in the packaged Electron binary: electron-builder.config.cjs's
 * `electronFuses`, turned into a fuse wire by electron-builder's own code and written by @electron/fuses
 * into a stand-in binary that carries Electron's sentinel and default wire (no Electron download here).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { flipFuses, FuseV1Options, getCurrentFuseWire, type FuseConfig } from '@electron/fuses'
import { afterAll, describe, expect, it } from 'vitest'
import { builderConfig } from './appArchive'

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const ON = 49 // '1'
const OFF = 48 // '0'
// Electron's own defaults, fuse by fuse (FuseV1Options order): what a build without the config ships.
const ELECTRON_DEFAULTS = [ON, OFF, ON, ON, OFF, OFF, OFF, ON]

const requireHere = createRequire(__filename)
const builderLib = createRequire(
  createRequire(requireHere.resolve('electron-builder')).resolve('app-builder-lib'),
)
const { PlatformPackager } = builderLib('./index') as {
  PlatformPackager: { prototype: { generateFuseConfig(f: object): Promise<FuseConfig> } }
}

const work = mkdtempSync(join(tmpdir(), 'wb-fuses-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function standInBinary(): string {
  const file = join(work, 'electron')
  const wire = Buffer.from([1, ELECTRON_DEFAULTS.length, ...ELECTRON_DEFAULTS])
  writeFileSync(
    file,
    Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), wire, Buffer.alloc(4096, 9)]),
  )
  return file
}

describe('Electron fuses of the packaged app', () => {
  it('turns off running as Node, NODE_OPTIONS and --inspect; turns on cookie encryption and asar-only integrity-checked loading', async () => {
    const { electronFuses } = builderConfig()
    // resetAdHocDarwinSignature runs codesign on a Mac: not for a stand-in file.
    const { resetAdHocDarwinSignature: _sign, ...fuses } = electronFuses
    const wire = await PlatformPackager.prototype.generateFuseConfig.call(null, fuses)
    const binary = standInBinary()
    await flipFuses(binary, wire)
    const flipped = await getCurrentFuseWire(binary)
    expect(flipped[FuseV1Options.RunAsNode]).toBe(OFF)
    expect(flipped[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF)
    expect(flipped[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF)
    expect(flipped[FuseV1Options.EnableCookieEncryption]).toBe(ON)
    expect(flipped[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON)
    expect(flipped[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON)
    // The renderer is served from app://, so file:// needs none of its old privileges.
    expect(flipped[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(OFF)
    // Only the wire changed.
    const after = readFileSync(binary)
    expect(after.subarray(0, 4096).every((b) => b === 7)).toBe(true)
    expect(after.length).toBe(4096 + SENTINEL.length + 2 + ELECTRON_DEFAULTS.length + 4096)
  })

  it('re-signs ad hoc after flipping on macOS, which an unsigned arm64 app needs to launch', () => {
    expect(builderConfig().electronFuses['resetAdHocDarwinSignature']).toBe(true)
  })
})
