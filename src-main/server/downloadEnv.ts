/**
 * Where `serve` downloads datasets from, as its environment says (read by `serve` only; the CLI's
 * `datasets download` has `--mirror`):
 *
 *   WORKBENCH_DOWNLOAD_MIRROR=http://host/path   every source's files come from <mirror>/<source>/<file>,
 *                                                checked against the published md5s all the same
 *   WORKBENCH_DATASET_SOURCES=/path/sources.json  more downloadable datasets: a JSON array of sources
 *                                                (name, title, format, homepage, files [{url, md5, size,
 *                                                unpack}], classNames, license, citation), e.g. a course's
 *                                                own; the e2e tests serve small ones from a local server
 */
import { readFileSync } from 'node:fs'
import { SOURCES, type DatasetSource } from '../core/datasets'
import { validateSource } from '../core/datasets/download'
import type { WorkbenchOptions } from '../core/workbench'

export const MIRROR_ENV = 'WORKBENCH_DOWNLOAD_MIRROR'
export const SOURCES_ENV = 'WORKBENCH_DATASET_SOURCES'

/** The workbench's dataset options from `env`; throws an Error naming the variable when one is wrong. */
export function datasetOptionsFromEnv(env: NodeJS.ProcessEnv): WorkbenchOptions['datasetOptions'] {
  const out: NonNullable<WorkbenchOptions['datasetOptions']> = {}
  const mirror = env[MIRROR_ENV]
  if (mirror) {
    let url: URL
    try {
      url = new URL(mirror)
    } catch {
      throw new Error(`${MIRROR_ENV} must be an http(s) URL, got ${JSON.stringify(mirror)}`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`${MIRROR_ENV} must be an http(s) URL, got ${JSON.stringify(mirror)}`)
    }
    out.downloadOptions = { mirror: url.href }
  }
  const file = env[SOURCES_ENV]
  if (file) {
    let list: unknown
    try {
      list = JSON.parse(readFileSync(file, 'utf8'))
    } catch (e) {
      throw new Error(
        `${SOURCES_ENV}: cannot read ${file} as JSON (${e instanceof Error ? e.message : String(e)})`,
        { cause: e },
      )
    }
    if (!Array.isArray(list)) throw new Error(`${SOURCES_ENV}: ${file} must hold a JSON array of sources`)
    const sources: Record<string, DatasetSource> = { ...SOURCES }
    for (const [i, s] of list.entries()) {
      try {
        validateSource(s)
      } catch (e) {
        throw new Error(`${SOURCES_ENV}: ${file}[${i}]: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
        })
      }
      if (Object.prototype.hasOwnProperty.call(sources, s.name)) {
        throw new Error(`${SOURCES_ENV}: ${file}[${i}]: a source named '${s.name}' exists already`)
      }
      sources[s.name] = s
    }
    out.sources = sources
  }
  return out
}
