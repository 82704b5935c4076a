/**
 * Where the app's own files are (the built UI, examples, built-in datasets, the bundled worker), found
 * from this module wherever it runs: src-main/server under tsx and vitest, out/main or out/main/chunks once
 * bundled. A fixed `../..` from __dirname breaks as soon as the bundler moves shared code into a chunk.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

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

export function appPaths(root: string = appRoot()): AppPaths {
  const bundled = !__filename.endsWith('.ts')
  return {
    staticDir: join(root, 'out', 'renderer'),
    examplesDir: join(root, 'examples'),
    builtinDatasetsDir: join(root, 'resources', 'datasets'),
    workerFile: bundled ? join(root, 'out', 'main', 'worker.js') : undefined,
  }
}
