/**
 * Fetches the OpenBLAS DLL the Windows installer ships (users will not have one): the x64 zip of an
 * OpenBLAS release from GitHub (OpenMathLib/OpenBLAS), whose bin/ holds libopenblas.dll. The DLL and
 * OpenBLAS's licence go to out/blas, which electron-builder.config.cjs copies to <resources>/blas and
 * the engine loads from there (src-worker/engine/backend/native.ts, bundledBlasLib). The addon loads
 * BLAS at run time, so nothing links against it. Run by `npm run dist` on Windows.
 *
 *   tsx src-main/packaging/openblas.ts [--version 0.3.31 --sha256 HEX]
 *
 * OPENBLAS_ZIP=path/to/OpenBLAS-x64.zip uses a zip fetched by hand (an offline build machine).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '..', '..')
export const BLAS_OUT_DIR = join(ROOT, 'out', 'blas')
export const DEFAULT_OPENBLAS_VERSION = '0.3.31'
/** sha256 of OpenBLAS-0.3.31-x64.zip, so a swapped download fails the build; another --version takes --sha256. */
export const DEFAULT_OPENBLAS_SHA256 = 'e7595359700e8bb5a15c41af1920850b1be37078eb22813201b3d4bc5bd9227e'

/** The release asset: OpenBLAS names its Windows x64 zip OpenBLAS-<version>-x64.zip. */
export function openblasZipUrl(version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`openblas: --version must look like 0.3.30, got '${version}'`)
  return `https://github.com/OpenMathLib/OpenBLAS/releases/download/v${version}/OpenBLAS-${version}-x64.zip`
}

/** What to ship from the unpacked zip: every DLL in bin/ (libopenblas.dll and any runtime it needs) and the licence. */
export function filesToShip(unpacked: string): string[] {
  const bin = join(unpacked, 'bin')
  if (!existsSync(join(bin, 'libopenblas.dll'))) {
    throw new Error(`openblas: ${bin} has no libopenblas.dll; is this OpenBLAS's Windows x64 zip?`)
  }
  const dlls = readdirSync(bin)
    .filter((n) => n.toLowerCase().endsWith('.dll'))
    .map((n) => join(bin, n))
  const licence = ['LICENSE', 'LICENSE.txt'].map((n) => join(unpacked, n)).filter(existsSync)
  return [...dlls, ...licence]
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`openblas: GET ${url}: HTTP ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

function unzip(zip: string, into: string): void {
  // Windows 10 and later, and macOS, ship bsdtar, which reads zip; elsewhere unzip(1).
  if (process.platform === 'linux') execFileSync('unzip', ['-q', zip, '-d', into], { stdio: 'inherit' })
  else execFileSync('tar', ['-xf', zip, '-C', into], { stdio: 'inherit' })
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const version = arg('--version') ?? DEFAULT_OPENBLAS_VERSION
  const expected =
    arg('--sha256') ??
    process.env['OPENBLAS_SHA256'] ??
    (version === DEFAULT_OPENBLAS_VERSION ? DEFAULT_OPENBLAS_SHA256 : undefined)
  const work = mkdtempSync(join(tmpdir(), 'openblas-'))
  try {
    const zip = join(work, 'openblas.zip')
    const given = process.env['OPENBLAS_ZIP']
    const bytes = given ? readFileSync(given) : await download(openblasZipUrl(version))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (expected && expected.toLowerCase() !== sha256) {
      throw new Error(
        `openblas: sha256 of ${given ?? openblasZipUrl(version)} is ${sha256}, expected ${expected}`,
      )
    }
    writeFileSync(zip, bytes)
    const unpacked = join(work, 'x')
    mkdirSync(unpacked)
    unzip(zip, unpacked)
    rmSync(BLAS_OUT_DIR, { recursive: true, force: true })
    mkdirSync(BLAS_OUT_DIR, { recursive: true })
    for (const f of filesToShip(unpacked)) copyFileSync(f, join(BLAS_OUT_DIR, basename(f)))
    console.log(
      `openblas: OpenBLAS ${version} (sha256 ${sha256}) -> ${BLAS_OUT_DIR}: ${readdirSync(BLAS_OUT_DIR).join(', ')}`,
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error).message)
    process.exit(1)
  })
}
