/**
 * Where the app's own files are (the built UI, examples, built-in datasets, the bundled worker), found
 * from this module wherever it runs: src-main/server under tsx and vitest, out/main or out/main/chunks once
 * bundled. A fixed `../..` from __dirname breaks as soon as the bundler moves shared code into a chunk.
 * In a packaged app the root is `<resources>/app.asar` (electron-builder.config.cjs): the datasets and
 * examples sit beside it in `<resources>`, the worker in `app.asar.unpacked`.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

export function appRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
    if (dirname(dir) === dir) return resolve(from, '../..')
  }
}

export interface AppPaths {
  /** The built renderer. */
  staticDir: string
  examplesDir: string
  builtinDatasetsDir: string
  /** The bundled worker when this code runs bundled; undefined from source (the pool's default). */
  workerFile: string | undefined
}

/** The same file outside the archive, where asarUnpack put it. */
export function unpackedPath(path: string): string {
  return path.replace(/app\.asar([\\/]|$)/, 'app.asar.unpacked$1')
}

export function appPaths(root: string = appRoot()): AppPaths {
  const bundled = !__filename.endsWith('.ts')
  if (basename(root) === 'app.asar') {
    const resources = dirname(root)
    return {
      staticDir: join(root, 'out', 'renderer'),
      examplesDir: join(resources, 'examples'),
      builtinDatasetsDir: join(resources, 'datasets'),
      workerFile: join(unpackedPath(root), 'out', 'main', 'worker.js'),
    }
  }
  return {
    staticDir: join(root, 'out', 'renderer'),
    examplesDir: join(root, 'examples'),
    builtinDatasetsDir: join(root, 'resources', 'datasets'),
    workerFile: bundled ? join(root, 'out', 'main', 'worker.js') : undefined,
  }
}
