/**
 * The packaged app's app.asar as electron-builder would make it, for src-main/packaging/asar.test.ts: the files
 * the config's `files` patterns select (electron-builder's own default exclusions included), the
 * production dependency tree with the config's exclusions, and `asarUnpack` deciding what lands in
 * app.asar.unpacked. Patterns are matched the way app-builder-lib's FileMatcher does (minimatch with
 * dot: true, directory patterns widened to their contents, later negations winning).
 */
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { finished } from 'node:stream/promises'
import { createPackageFromStreams, type AsarStreamType } from '@electron/asar'

const ROOT = join(__dirname, '..', '..')
const requireHere = createRequire(__filename)
// The matcher and default exclusions electron-builder itself uses, not a copy of them.
const builderLib = createRequire(
  createRequire(requireHere.resolve('electron-builder')).resolve('app-builder-lib'),
)
const { Minimatch } = builderLib('minimatch') as typeof import('minimatch')
const { excludedExts, excludedNames } = builderLib('./fileMatcher') as {
  excludedExts: string
  excludedNames: string
}

export interface BuilderConfig {
  files: (string | object)[]
  asarUnpack: string[]
  extraResources: { from: string; to: string; filter?: string[] }[]
  directories: { output: string; buildResources: string }
  electronFuses: Record<string, boolean>
  win: { extraResources: { from: string; to: string; filter?: string[] }[] }
  [key: string]: unknown
}

export function builderConfig(): BuilderConfig {
  const file = join(ROOT, 'electron-builder.config.cjs')
  delete requireHere.cache[file]
  return requireHere(file) as BuilderConfig
}

type Matcher = InstanceType<typeof Minimatch>

/** app-builder-lib's FileMatcher.computeParsedPatterns and filter.minimatchAll. */
export function patternFilter(patterns: string[]): (rel: string, isDir: boolean) => boolean {
  const parsed: Matcher[] = []
  for (const pattern of patterns) {
    const m = new Minimatch(pattern, { dot: true })
    parsed.push(m)
    if (!pattern.includes('.') && !m.hasMagic()) parsed.push(new Minimatch(`${pattern}/**/*`, { dot: true }))
  }
  return (rel, isDir) => {
    let match = false
    for (const p of parsed) {
      if (match !== p.negate) continue
      match = p.match(rel, isDir && !p.negate)
    }
    return match
  }
}

const posix = (p: string): string => p.split(sep).join('/')

/** The app's own patterns with the defaults getMainFileMatchers adds. */
function mainPatterns(config: BuilderConfig): string[] {
  const own = config.files.filter((p): p is string => typeof p === 'string')
  return [
    ...(own.includes('package.json') ? own : [...own, 'package.json']),
    '!**/node_modules/**',
    `!${config.directories.buildResources}{,/**/*}`,
    `!${config.directories.output}{,/**/*}`,
    `!**/*.{${excludedExts},pdb}`,
    '!**/._*',
    '!**/electron-builder.{yaml,yml,json,json5,toml,ts}',
    `!**/{${excludedNames}}`,
  ]
}

/** getNodeModuleFileMatcher: everything but the config's exclusions. */
function nodeModulePatterns(config: BuilderConfig): string[] {
  const excludes = config.files.filter((p): p is string => typeof p === 'string' && p.startsWith('!'))
  return ['**/*', ...excludes]
}

// NodeModuleCopyHelper's built-in exclusions (not exported by app-builder-lib).
const MODULE_EXCLUDED = new Set([
  '.DS_Store',
  'node_modules',
  'CHANGELOG.md',
  'ChangeLog',
  'changelog.md',
  'Changelog.md',
  'Changelog',
  'binding.gyp',
  '.npmignore',
  'node_gyp_bins',
  ...excludedNames.split(','),
])
const MODULE_TOP_EXCLUDED = new Set([
  'karma.conf.js',
  '.coveralls.yml',
  'README.md',
  'readme.markdown',
  'README',
  'readme.md',
  'Readme.md',
  'Readme',
  'readme',
  'test',
  'tests',
  '__tests__',
  'powered-test',
  'example',
  'examples',
  '.bin',
])
const MODULE_EXCLUDED_EXTS = [
  '.o',
  '.obj',
  '.pdb',
  '.dll',
  '.exe',
  ...excludedExts.split(',').map((e) => `.${e}`),
]

function walk(dir: string, keep: (abs: string, isDir: boolean) => boolean, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const abs = join(dir, name)
    const isDir = lstatSync(abs).isDirectory()
    if (!keep(abs, isDir)) continue
    if (isDir) walk(abs, keep, out)
    else out.push(abs)
  }
}

/** Production dependencies, transitively, resolved as Node would from each dependent: package dirs. */
export function productionPackages(root: string = ROOT): Map<string, string> {
  const dirs = new Map<string, string>()
  const visit = (fromDir: string, pkgFile: string): void => {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, Record<string, string>>
    const names = [
      ...Object.keys(pkg['dependencies'] ?? {}),
      ...Object.keys(pkg['optionalDependencies'] ?? {}),
    ]
    for (const name of names) {
      let found: string | null = null
      for (let d = fromDir; ; d = dirname(d)) {
        const candidate = join(d, 'node_modules', name)
        if (existsSync(join(candidate, 'package.json'))) {
          found = candidate
          break
        }
        if (dirname(d) === d) break
      }
      if (!found || dirs.has(found)) continue // an optional dependency for another platform
      dirs.set(found, name)
      visit(found, join(found, 'package.json'))
    }
  }
  visit(root, join(root, 'package.json'))
  return dirs
}

/** Every file electron-builder would put in the app (absolute paths in this checkout). */
export function appFiles(config: BuilderConfig, root: string = ROOT): string[] {
  const main = patternFilter(mainPatterns(config))
  const files: string[] = []
  walk(
    root,
    (abs, isDir) => {
      const rel = posix(relative(root, abs))
      if (rel === 'node_modules' || rel === '.git') return false
      return main(rel, isDir)
    },
    files,
  )
  const modules = patternFilter(nodeModulePatterns(config))
  for (const dir of productionPackages(root).keys()) {
    walk(
      dir,
      (abs, isDir) => {
        const name = abs.slice(abs.lastIndexOf(sep) + 1)
        if (MODULE_EXCLUDED.has(name) || name.startsWith('._')) return false
        if (dirname(abs) === dir && MODULE_TOP_EXCLUDED.has(name)) return false
        if (!isDir && MODULE_EXCLUDED_EXTS.some((e) => name.endsWith(e))) return false
        const parent = dirname(abs)
        if (parent.endsWith('Release') && (name === '.deps' || name === 'obj.target')) return false
        return modules(posix(relative(root, abs)), isDir)
      },
      files,
    )
  }
  return files
}

/** Packs `files` (under root) into `dest`, unpacking what asarUnpack selects, as electron-builder does. */
export async function packApp(
  config: BuilderConfig,
  files: string[],
  dest: string,
  root: string = ROOT,
): Promise<void> {
  const unpack = patternFilter(config.asarUnpack)
  const dirs = new Set<string>()
  const streams: AsarStreamType[] = []
  for (const abs of files) {
    const rel = relative(root, abs)
    for (let d = dirname(rel); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d)
  }
  for (const d of [...dirs].sort()) streams.push({ type: 'directory', path: d, unpacked: false })
  for (const abs of files) {
    const rel = relative(root, abs)
    streams.push({
      type: 'file',
      path: rel,
      unpacked: unpack(posix(rel), false),
      stat: lstatSync(abs),
      streamGenerator: () => createReadStream(abs),
    })
  }
  const out = await createPackageFromStreams(dest, streams)
  if (!out.closed) await finished(out)
}
