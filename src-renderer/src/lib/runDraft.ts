/**
 * "New run from this": a run's config as a draft for the New Run form, with the changes the caller
 * asks for. One builder for every such offer (a diverged run's "with a lower learning rate", the run
 * page's "new run from this", "run again with another seed"), so they all fill the form alike.
 */
import type { RunConfig } from '../../../src-shared/config'

export interface DraftChanges {
  /** Multiplies the learning rate: 0.1 is ten times lower. */
  learningRateFactor?: number
  /** Replaces the seed; null leaves it out, so the new run draws its own. */
  seed?: number | null
  /** Replaces the name; null leaves it out, so the form suggests one from the config. */
  name?: string | null
}

/** How much a diverged run's offer lowers the learning rate. */
export const DIVERGED_LR_FACTOR = 0.1

/**
 * The config input the form opens with: a copy of `config` (the original is not touched) with the
 * changes. The `sweep:` tags go: the new run is not one of that sweep's.
 */
export function draftFromRun(config: RunConfig, changes: DraftChanges = {}): Record<string, unknown> {
  // A JSON copy: a config is JSON data, and the one a view holds is a reactive proxy structuredClone refuses.
  const draft = JSON.parse(JSON.stringify(config)) as RunConfig & Record<string, unknown>
  draft.tags = draft.tags.filter((t) => !t.startsWith('sweep:'))
  if (changes.learningRateFactor !== undefined) {
    const lr = draft.solver.optimConfig.learningRate * changes.learningRateFactor
    // 1e-3 * 0.1 is 1.0000000000000002e-4 in floating point: the form should show 1e-4.
    draft.solver.optimConfig.learningRate = Number(lr.toPrecision(12))
  }
  const out: Record<string, unknown> = draft
  if (changes.seed === null) delete out['seed']
  else if (changes.seed !== undefined) out['seed'] = changes.seed
  if (changes.name === null) delete out['name']
  else if (changes.name !== undefined) out['name'] = changes.name
  return out
}
