/**
 * Which split sizes a dataset cannot give, and in which field to say so: the New Run form's live check,
 * worded as main's admission words it (src-main/core/workbench.ts), so a run the form accepts is not
 * refused later for its splits.
 */
import { resolveSplits, type SplitSizes, type SplitSource } from './splits'

export interface SplitProblem {
  path: 'dataset.numTraining' | 'dataset.numValidation' | 'dataset.numTest'
  /** 'train': training + validation images exceed the training split; 'test': too many test images. */
  kind: 'train' | 'test'
  need: number
  have: number
}

/** The problems of `sizes` (as given: left-out sizes take their defaults) on `source`; empty when it fits. */
export function splitProblems(source: SplitSource, sizes: Partial<SplitSizes>): SplitProblem[] {
  const s = resolveSplits(source, sizes)
  const out: SplitProblem[] = []
  if (s.numTraining + s.numValidation > source.train.count) {
    // The field the user set; numTraining when they set both or neither.
    const path =
      sizes.numTraining !== undefined || sizes.numValidation === undefined
        ? 'dataset.numTraining'
        : 'dataset.numValidation'
    out.push({ path, kind: 'train', need: s.numTraining + s.numValidation, have: source.train.count })
  }
  if (s.numTest > source.test.count) {
    out.push({ path: 'dataset.numTest', kind: 'test', need: s.numTest, have: source.test.count })
  }
  return out
}
