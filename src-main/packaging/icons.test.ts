/**
 * src-main/packaging/icons.ts, run as `npm run dist` runs it: every platform's icon from resources/icon.svg, with
 * the sizes and headers the platforms read.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { builderConfig } from './appArchive'
import { PNG_SIZES } from './icons'

const ROOT = join(__dirname, '..', '..')
let out: string

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'wb-icons-'))
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src-main/packaging/icons.ts', '--out', out],
    {
      cwd: ROOT,
    },
  )
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

const pngSize = (buf: Buffer): [number, number] => {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true)
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR')
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)]
}

describe('app icons', () => {
  it('renders a square PNG of every size Linux and the other formats need', () => {
    expect(readdirSync(join(out, 'png')).sort()).toEqual(PNG_SIZES.map((s) => `${s}x${s}.png`).sort())
    for (const s of PNG_SIZES)
      expect(pngSize(readFileSync(join(out, 'png', `${s}x${s}.png`)))).toEqual([s, s])
    expect(pngSize(readFileSync(join(out, 'icon.png')))).toEqual([1024, 1024])
  })

  it('draws the icon: an opaque tile with transparent corners (not a blank or failed render)', () => {
    const png = PNG.sync.read(readFileSync(join(out, 'png', '256x256.png')))
    const alpha = (x: number, y: number): number => png.data[(y * png.width + x) * 4 + 3]!
    expect(alpha(128, 128)).toBe(255)
    expect(alpha(2, 2)).toBe(0)
    const colours = new Set<number>()
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i))
    expect(colours.size).toBeGreaterThan(20)
  })

  it('builds a Windows .ico with the 16 to 256 px images Explorer and the installer use', () => {
    const ico = readFileSync(join(out, 'icon.ico'))
    expect(ico.readUInt16LE(0)).toBe(0) // reserved
    expect(ico.readUInt16LE(2)).toBe(1) // type: icon
    const count = ico.readUInt16LE(4)
    const widths = Array.from({ length: count }, (_, i) => ico[6 + 16 * i]! || 256)
    expect(widths).toEqual(expect.arrayContaining([16, 32, 48, 256]))
    for (let i = 0; i < count; i++) {
      const size = ico.readUInt32LE(6 + 16 * i + 8)
      const offset = ico.readUInt32LE(6 + 16 * i + 12)
      expect(offset + size).toBeLessThanOrEqual(ico.length)
    }
  })

  it('builds a macOS .icns holding the 1024 px retina image', () => {
    const icns = readFileSync(join(out, 'icon.icns'))
    expect(icns.toString('latin1', 0, 4)).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const types: string[] = []
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4))
      types.push(icns.toString('latin1', at, at + 4))
    expect(types).toEqual(expect.arrayContaining(['ic10', 'ic09', 'ic08', 'ic07']))
  })

  it('is where the electron-builder config reads the icons from', () => {
    const c = builderConfig() as unknown as Record<string, { icon: string }> & {
      directories: { buildResources: string }
    }
    expect(c.directories.buildResources).toBe('out/icons')
    expect(c['linux']!.icon).toBe('out/icons/png')
    expect(c['win']!.icon).toBe('out/icons/icon.ico')
    expect(c['mac']!.icon).toBe('out/icons/icon.icns')
  })
})
