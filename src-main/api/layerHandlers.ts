/**
 * Layer dynamics (issue 15): a run's per-layer captures, read from `<run>/layers.jsonl`.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LayersOptions } from '../../src-shared/contract'
import { binLayout, type LayerCapture, type LayerSeries } from '../../src-shared/layerStats'
import type { Workbench } from '../core/workbench'
import type { Handlers } from './handlers'
import { checkArity, nonNegativeIntArg, optional, runIdArg } from './validate'
import { invalidArgument } from './errors'

export const LAYERS_FILE = 'layers.jsonl'

function layersOptionsArg(v: unknown): LayersOptions {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw invalidArgument('options', 'must be an object like {afterIteration: 10}')
  }
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (k !== 'afterIteration')
      throw invalidArgument(`options.${k}`, 'is not an option of runs.layers (only afterIteration)')
  }
  return o.afterIteration === undefined
    ? {}
    : { afterIteration: nonNegativeIntArg(o.afterIteration, 'options.afterIteration') }
}

export function createLayerHandlers(wb: Workbench): Pick<Handlers, 'runs.layers'> {
  return {
    'runs.layers': async (...args) => {
      checkArity('runs.layers', args, ['id', 'options'], 1)
      const id = runIdArg(args[0])
      const options = optional(args[1], layersOptionsArg) ?? {}
      await wb.getRun(id)
      const text = await readFile(join(wb.store.runDir(id), LAYERS_FILE), 'utf8').catch((e) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ''
        throw e
      })
      const captures: LayerCapture[] = []
      let skippedLines = 0
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue
        try {
          const c = JSON.parse(line) as LayerCapture
          if (c.iteration > (options.afterIteration ?? -1)) captures.push(c)
        } catch {
          skippedLines++
        }
      }
      return { captures, bins: binLayout(), skippedLines } satisfies LayerSeries
    },
  }
}
