/**
 * Layer dynamics (issue 15): a run's per-layer captures, read from `<run>/layers.jsonl` by the store
 * (core/store/layersRead.ts): validated line by line, damaged lines skipped and counted, the answer
 * capped at LAYERS_CAPTURES_MAX captures however long the run.
 */
import { LAYERS_CAPTURES_DEFAULT, LAYERS_CAPTURES_MAX, type LayersOptions } from '../../src-shared/contract'
import type { Workbench } from '../core/workbench'
import type { Handlers } from './handlers'
import { checkArity, nonNegativeIntArg, optional, runIdArg } from './validate'
import { invalidArgument } from './errors'

type LayersArgs = Required<Pick<LayersOptions, 'maxCaptures'>> & Pick<LayersOptions, 'afterIteration'>

const KNOWN = ['afterIteration', 'maxCaptures']

export function layersOptionsArg(v: unknown): LayersArgs {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw invalidArgument('options', 'must be an object like {afterIteration: 10, maxCaptures: 200}')
  }
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) {
    if (!KNOWN.includes(k)) {
      throw invalidArgument(
        `options.${k.slice(0, 40)}`,
        `is not an option of runs.layers (known: ${KNOWN.join(', ')})`,
      )
    }
  }
  const out: LayersArgs = { maxCaptures: LAYERS_CAPTURES_DEFAULT }
  if (o.afterIteration !== undefined && o.afterIteration !== null) {
    out.afterIteration = nonNegativeIntArg(o.afterIteration, 'options.afterIteration')
  }
  if (o.maxCaptures !== undefined && o.maxCaptures !== null) {
    const m = o.maxCaptures
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > LAYERS_CAPTURES_MAX) {
      throw invalidArgument(
        'options.maxCaptures',
        `must be an integer from 1 to ${LAYERS_CAPTURES_MAX}, got ${typeof m === 'number' ? String(m) : typeof m}`,
      )
    }
    out.maxCaptures = m
  }
  return out
}

export function createLayerHandlers(wb: Workbench): Pick<Handlers, 'runs.layers'> {
  return {
    'runs.layers': async (...args) => {
      checkArity('runs.layers', args, ['id', 'options'], 1)
      const id = runIdArg(args[0])
      const options = optional(args[1], layersOptionsArg) ?? { maxCaptures: LAYERS_CAPTURES_DEFAULT }
      return wb.readLayers(id, options)
    },
  }
}
