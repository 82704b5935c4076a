/**
 * The packaged app's contents, checked without Electron: the build is packed with @electron/asar under
 * electron-builder.config.cjs's own `files` and `asarUnpack` rules (src-main/packaging/appArchive.ts), and every
 * file the main process, the preload and the training worker reach at run time must be in the archive,
 * native code and the worker unpacked, the shipped resources where appPaths looks.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { extractFile, listPackage, statFile } from '@electron/asar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appPaths } from '../core/appPaths'
import { appPaths as electronPaths } from '../electron/paths'
import { appFiles, builderConfig, packApp, type BuilderConfig } from './appArchive'

const ROOT = join(__dirname, '..', '..')
const OUT = join(ROOT, 'out')
const posix = (p: string): string => p.split(sep).join('/')

// require("x"), import("x"), and createRequire(...)("x") (how runIndexDb loads better-sqlite3).
const LOADS = /\brequire\s*\(\s*(["'])([^"'\s]+)\1\s*\)|\bimport\s*\(\s*(["'])([^"'\s]+)\3\s*\)/g
const CREATE_REQUIRE_CALL = /createRequire[\s\S]{0,300}?\)\s*\(\s*(["'])([^"'\s]+)\1\s*\)/g
const BUILTIN = new Set(builtinModules)
// Provided by the Electron runtime, not the archive.
const RUNTIME = new Set(['electron'])

interface Graph {
  /** Every file reached (absolute, in this checkout), with one file that requires it. */
  files: Map<string, string>
  /** Requires in built files that do not resolve at all. */
  broken: string[]
  /** Optional peers a dependency tries to load (debug's supports-color): absent from the app on purpose. */
  optional: string[]
}

/** The nearest package.json above a file inside node_modules, or null for the app's own files. */
function owningPackage(file: string): Record<string, Record<string, unknown> | undefined> | null {
  if (!file.includes(`${sep}node_modules${sep}`)) return null
  for (let d = dirname(file); !d.endsWith(`${sep}node_modules`); d = dirname(d)) {
    const pkg = join(d, 'package.json')
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as Record<string, Record<string, unknown>>
      if (typeof json['name'] === 'string') return json
    }
  }
  return null
}

const packageName = (spec: string): string =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/')

/** A dependency's require of a package it declares only as an optional peer. */
function optionalPeer(file: string, spec: string): boolean {
  if (spec.startsWith('.') || spec.startsWith('/')) return false
  const pkg = owningPackage(file)
  if (!pkg) return false
  const name = packageName(spec)
  const declared = pkg['dependencies']?.[name] ?? pkg['optionalDependencies']?.[name]
  const meta = pkg['peerDependenciesMeta']?.[name] as { optional?: boolean } | undefined
  return declared === undefined && meta?.optional === true
}

/** Walks requires from the entries; a require in a dependency that resolves nowhere is optional. */
function moduleGraph(entries: string[]): Graph {
  const files = new Map<string, string>(entries.map((e) => [e, '(entry)']))
  const broken: string[] = []
  const optional: string[] = []
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (!/\.(c|m)?js$/.test(file)) continue
    const src = readFileSync(file, 'utf8')
    const specs = new Set<string>()
    for (const m of src.matchAll(LOADS)) specs.add(m[2] ?? m[4]!)
    for (const m of src.matchAll(CREATE_REQUIRE_CALL)) specs.add(m[2]!)
    const req = createRequire(file)
    for (const spec of specs) {
      const bare = spec.replace(/^node:/, '')
      if (spec.startsWith('node:') || BUILTIN.has(bare) || BUILTIN.has(bare.split('/')[0]!)) continue
      if (RUNTIME.has(spec)) continue
      if (optionalPeer(file, spec)) {
        optional.push(`${posix(relative(ROOT, file))}: ${spec}`)
        continue
      }
      let target: string
      try {
        target = req.resolve(spec)
      } catch {
        if (file.startsWith(OUT)) broken.push(`${posix(relative(ROOT, file))}: ${spec}`)
        continue
      }
      if (files.has(target)) continue
      files.set(target, posix(relative(ROOT, file)))
      queue.push(target)
    }
  }
  return { files, broken, optional }
}

let config: BuilderConfig
let work: string
let resources: string
let archive: string
let packed: Set<string>
let graph: Graph

beforeAll(async () => {
  if (!existsSync(join(OUT, 'main', 'worker.js')) || !existsSync(join(OUT, 'renderer', 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    )
  }
  config = builderConfig()
  work = mkdtempSync(join(tmpdir(), 'wb-asar-'))
  resources = join(work, 'resources')
  archive = join(resources, 'app.asar')
  const files = appFiles(config)
  await packApp(config, files, archive)
  // extraResources, as electron-builder copies them beside app.asar.
  for (const r of config.extraResources)
    cpSync(join(ROOT, r.from), join(resources, r.to), { recursive: true })
  packed = new Set(listPackage(archive, { isPack: false }).map((p) => posix(p).replace(/^\//, '')))
  graph = moduleGraph([
    join(OUT, 'main', 'index.js'),
    join(OUT, 'preload', 'index.js'),
    join(OUT, 'main', 'worker.js'),
    // Piscina starts each thread on its own worker file, named by path rather than required.
    join(dirname(createRequire(join(OUT, 'main', 'index.js')).resolve('piscina')), 'worker.js'),
  ])
}, 120_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

const inArchive = (abs: string): boolean => packed.has(posix(relative(ROOT, abs)))
const unpacked = (rel: string): boolean =>
  (statFile(archive, rel) as { unpacked?: boolean }).unpacked === true &&
  existsSync(join(`${archive}.unpacked`, rel))

describe('the packaged app.asar', () => {
  it('holds the package.json that names the main entry, and the built renderer', () => {
    const pkg = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as { main: string }
    expect(packed.has(pkg.main)).toBe(true)
    expect(packed.has('out/renderer/index.html')).toBe(true)
    const assets = readdirSync(join(OUT, 'renderer', 'assets'))
    expect(assets.length).toBeGreaterThan(0)
    for (const a of assets.filter((n) => !n.endsWith('.map')))
      expect(packed, a).toContain(`out/renderer/assets/${a}`)
  })

  it('resolves every require of the built main, preload and worker', () => {
    expect(graph.broken).toEqual([])
    if (graph.optional.length > 0) console.log(`optional peers not shipped: ${graph.optional.join(', ')}`)
    // The walk reached the externalised dependencies, not only the bundles.
    const reached = [...graph.files.keys()].map((f) => posix(relative(ROOT, f)))
    for (const dep of ['zod', 'piscina', 'better-sqlite3', 'echarts', 'tar', 'pngjs']) {
      expect(
        reached.some((f) => f.startsWith(`node_modules/${dep}/`)),
        dep,
      ).toBe(true)
    }
  })

  it('contains every file the main process and the worker reach at run time', () => {
    const missing = [...graph.files]
      .filter(([file]) => !inArchive(file))
      .map(([file, by]) => `${posix(relative(ROOT, file))} (required by ${by})`)
    expect(missing).toEqual([])
  })

  it('leaves out what the app never loads: the CLI bundle, source maps, dependency sources', () => {
    expect(packed.has('out/main/cli.js')).toBe(false)
    expect([...packed].filter((p) => p.endsWith('.map'))).toEqual([])
    expect([...packed].filter((p) => /^(src-|e2e\/|node_modules\/electron\/)/.test(p))).toEqual([])
    expect([...packed].some((p) => p.startsWith('node_modules/better-sqlite3/deps/'))).toBe(false)
  })

  it('unpacks native code: the BLAS addon and better-sqlite3', () => {
    expect(unpacked('build/Release/workbench_blas.node')).toBe(true)
    const sqlite = [...packed].filter(
      (p) => p.startsWith('node_modules/better-sqlite3/') && p.endsWith('.node'),
    )
    expect(sqlite).toEqual(['node_modules/better-sqlite3/build/Release/better_sqlite3.node'])
    expect(unpacked(sqlite[0]!)).toBe(true)
    for (const p of [...packed].filter((f) => f.endsWith('.node'))) expect(unpacked(p), p).toBe(true)
  })

  it('unpacks the worker and everything it requires from the build', () => {
    const workerGraph = moduleGraph([join(OUT, 'main', 'worker.js')])
    const built = [...workerGraph.files.keys()].map((f) => posix(relative(ROOT, f)))
    expect(built).toContain('out/main/worker.js')
    // Only built chunks and Node built-ins: on disk in app.asar.unpacked it needs nothing from the archive.
    expect(built.filter((f) => !f.startsWith('out/main/'))).toEqual([])
    for (const f of built) expect(unpacked(f), f).toBe(true)
  })

  it('puts the shipped datasets and examples where appPaths looks in a packaged app', () => {
    const core = appPaths(archive)
    const shell = electronPaths({
      isPackaged: true,
      resourcesPath: resources,
      bundleDir: join(archive, 'out', 'main'),
      env: {},
    })
    expect(shell.builtinDatasetsDir).toBe(core.builtinDatasetsDir)
    expect(shell.examplesDir).toBe(core.examplesDir)
    expect(shell.workerFile).toBe(core.workerFile)
    expect(
      existsSync(join(core.builtinDatasetsDir, 'fashion-mnist-small', 'train-images-idx3-ubyte.gz')),
    ).toBe(true)
    expect(existsSync(join(core.examplesDir, 'seed-two-layer.json'))).toBe(true)
    expect(existsSync(core.workerFile!)).toBe(true)
    expect(packed.has(posix(relative(archive, join(core.staticDir, 'index.html'))))).toBe(true)
  })
})
