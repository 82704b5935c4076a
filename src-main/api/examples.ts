/** The example presets in examples/*.json, offered by the UI's "new run" and "new sweep" forms. */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Example } from '../../src-shared/contract'

/**
 * Every parseable JSON file, sorted by file name. A file with a sweep's `method` or `params` is a sweep;
 * anything else a run config. Validation is left to runs.create / runs.createSweep, which report fields.
 * A file that is not JSON is skipped (and reported) rather than hiding the others.
 */
export async function listExamples(
  dir: string,
  warn: (message: string) => void = (m) => console.warn(m),
): Promise<Example[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  } catch {
    return []
  }
  const examples: Example[] = []
  for (const file of names) {
    let value: unknown
    try {
      value = JSON.parse(await readFile(join(dir, file), 'utf8'))
    } catch (e) {
      warn(`examples: skipping ${file}: ${e instanceof Error ? e.message : String(e)}`)
      continue
    }
    const obj = isObject(value) ? value : {}
    const kind = 'method' in obj || 'params' in obj ? 'sweep' : 'run'
    const name =
      typeof obj.name === 'string' && obj.name.trim() !== '' ? obj.name : file.replace(/\.json$/, '')
    examples.push({ file, kind, name, value })
  }
  return examples
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
