/** Weight mosaics side by side: at an epoch every run saved, on one shared brightness scale. */
import type { MosaicData } from '../../../src-shared/contract'
import { weightRange, type WeightRange } from '../../../src-shared/mosaic'
import { decodeFloat32 } from './weights'

/** Epochs present in every list (each ascending), ascending; empty when there are no lists. */
export function commonEpochs(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 0) return []
  const [first, ...rest] = lists
  const sets = rest.map((l) => new Set(l))
  return first!.filter((e) => sets.every((s) => s.has(e)))
}

/** The min and max over all shown mosaics' weights, so equal weights look equally bright in each. */
export function sharedRange(mosaics: readonly (MosaicData | null)[]): WeightRange | null {
  const arrays = mosaics.flatMap((m) => (m ? [decodeFloat32(m.weights)] : []))
  return weightRange(...arrays)
}
