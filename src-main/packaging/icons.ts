/**
 * The app icon in every platform's format, from the one source resources/icon.svg: PNGs rendered
 * straight from the SVG at each size (crisper at 16-48 px than scaling a large bitmap down), a Windows
 * .ico and a macOS .icns built from the 1024 px render. Run by `npm run dist` before electron-builder;
 * the output (out/icons) is build output and never committed.
 *
 *   tsx src-main/packaging/icons.ts [--out DIR]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import * as png2icons from 'png2icons'

const ROOT = resolve(__dirname, '..', '..')
export const ICON_SOURCE = join(ROOT, 'resources', 'icon.svg')
export const ICON_OUT_DIR = join(ROOT, 'out', 'icons')
/** Linux wants a folder of sizes (electron-builder names them NxN.png); 1024 feeds the .ico and .icns. */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const

export interface IconFiles {
  /** `<out>/png/NxN.png` for each of PNG_SIZES: electron-builder's linux.icon folder. */
  pngDir: string
  /** 1024 px, for anything that wants one PNG. */
  png: string
  ico: string
  icns: string
}

export function renderPng(svg: Buffer, size: number): Buffer {
  return Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng())
}

export function buildIcons(source: string = ICON_SOURCE, outDir: string = ICON_OUT_DIR): IconFiles {
  const svg = readFileSync(source)
  const pngDir = join(outDir, 'png')
  mkdirSync(pngDir, { recursive: true })
  let largest: Buffer | null = null
  for (const size of PNG_SIZES) {
    const png = renderPng(svg, size)
    writeFileSync(join(pngDir, `${size}x${size}.png`), png)
    largest = png
  }
  if (!largest) throw new Error('icons: no sizes to render')
  const files: IconFiles = {
    pngDir,
    png: join(outDir, 'icon.png'),
    ico: join(outDir, 'icon.ico'),
    icns: join(outDir, 'icon.icns'),
  }
  writeFileSync(files.png, largest)
  // forWinExe: the sizes Windows Explorer and the NSIS installer ask for, 256 px stored as PNG.
  const ico = png2icons.createICO(largest, png2icons.BICUBIC2, 0, false, true)
  if (!ico) throw new Error(`icons: png2icons could not make an .ico from ${source}`)
  writeFileSync(files.ico, ico)
  const icns = png2icons.createICNS(largest, png2icons.BICUBIC2, 0)
  if (!icns) throw new Error(`icons: png2icons could not make an .icns from ${source}`)
  writeFileSync(files.icns, icns)
  return files
}

function main(argv: string[]): void {
  const i = argv.indexOf('--out')
  const out = i >= 0 ? argv[i + 1] : undefined
  if (i >= 0 && !out) throw new Error('icons: --out needs a folder')
  const files = buildIcons(ICON_SOURCE, out ? resolve(out) : ICON_OUT_DIR)
  console.log(`icons: ${files.pngDir} (${PNG_SIZES.join(', ')} px), ${files.ico}, ${files.icns}`)
}

if (require.main === module) main(process.argv.slice(2))
