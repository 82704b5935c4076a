/**
 * Splits and mean subtraction as CS231n's `get_CIFAR10_data`: the first numTraining training images
 * train, the next numValidation validate, the first numTest test images test, and the training split's
 * mean image is subtracted from all three. The images stay uint8 and shared; rows are converted per
 * minibatch (see engine/rows.ts). Shapes stay channels-first (N, C, H, W): FC nets flatten each row.
 */
import { uint8Rows, type RowSource } from '../engine/rows'
import { resolveSplits, type SplitSizes } from '../../src-shared/splits'
import type { RawDataset } from './types'

export { defaultSplits, resolveSplits, type SplitSizes } from '../../src-shared/splits'

export interface PreparedData {
  /** Image shape (C, H, W). */
  shape: [number, number, number]
  classNames: string[]
  splits: SplitSizes
  /** (C * H * W,) mean of the training split, in pixel units. */
  mean: Float32Array
  /** (numTraining, C, H, W) */
  XTrain: RowSource
  yTrain: Int32Array
  /** (numValidation, C, H, W) */
  XVal: RowSource
  yVal: Int32Array
  /** (numTest, C, H, W) */
  XTest: RowSource
  yTest: Int32Array
}

function checkSizes(raw: RawDataset, s: SplitSizes): void {
  for (const k of ['numTraining', 'numValidation', 'numTest'] as const) {
    const v = s[k]
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`prepareData: ${k} must be a positive integer, got ${v}`)
  }
  if (s.numTraining + s.numValidation > raw.train.count) {
    throw new RangeError(
      `prepareData: numTraining (${s.numTraining}) + numValidation (${s.numValidation}) exceed the ` +
        `${raw.train.count} training images`,
    )
  }
  if (s.numTest > raw.test.count) {
    throw new RangeError(`prepareData: numTest (${s.numTest}) exceeds the ${raw.test.count} test images`)
  }
}

/** Adds images [from, to) into acc: (D,) float64. */
function accumulate(images: Uint8Array, from: number, to: number, D: number, acc: Float64Array): void {
  for (let i = from; i < to; i++) {
    const row = images.subarray(i * D, (i + 1) * D)
    for (let j = 0; j < D; j++) acc[j]! += row[j]!
  }
}

function toMean(acc: Float64Array, count: number): Float32Array {
  const mean = new Float32Array(acc.length)
  for (let j = 0; j < acc.length; j++) mean[j] = acc[j]! / count
  return mean
}

/** The mean image of images [0, count): (D,) float32, accumulated in float64. */
export function meanImage(images: Uint8Array, count: number, D: number): Float32Array {
  const acc = new Float64Array(D)
  accumulate(images, 0, count, D, acc)
  return toMean(acc, count)
}

/**
 * meanImage for an event loop that must stay responsive (the app's main process): the same sums, in
 * slices of `rowsPerSlice` images with a yield between them. CIFAR-10's 49,000 images would otherwise
 * block it for a few hundred milliseconds.
 */
export async function meanImageAsync(
  images: Uint8Array,
  count: number,
  D: number,
  rowsPerSlice = 2000,
): Promise<Float32Array> {
  const acc = new Float64Array(D)
  for (let from = 0; from < count; from += rowsPerSlice) {
    accumulate(images, from, Math.min(count, from + rowsPerSlice), D, acc)
    await new Promise<void>((r) => setImmediate(r))
  }
  return toMean(acc, count)
}

function labels(src: Uint8Array, first: number, count: number): Int32Array {
  return Int32Array.from(src.subarray(first, first + count))
}

/**
 * Splits a raw dataset and subtracts the training mean. `sizes` overrides the defaults field by field;
 * `mean` reuses a mean computed earlier for the same dataset and split (main computes it once and hands
 * it to every worker).
 */
export function prepareData(
  raw: RawDataset,
  sizes: Partial<SplitSizes> = {},
  options: { mean?: Float32Array } = {},
): PreparedData {
  const splits = resolveSplits(raw, sizes)
  checkSizes(raw, splits)
  const { numTraining, numValidation, numTest } = splits
  const D = raw.shape[0] * raw.shape[1] * raw.shape[2]
  const mean = options.mean ?? meanImage(raw.train.images, numTraining, D)
  if (mean.length !== D) throw new RangeError(`prepareData: mean has ${mean.length} values, images have ${D}`)
  return {
    shape: raw.shape,
    classNames: raw.classNames,
    splits,
    mean,
    XTrain: uint8Rows(raw.train.images, raw.shape, 0, numTraining, mean),
    yTrain: labels(raw.train.labels, 0, numTraining),
    XVal: uint8Rows(raw.train.images, raw.shape, numTraining, numValidation, mean),
    yVal: labels(raw.train.labels, numTraining, numValidation),
    XTest: uint8Rows(raw.test.images, raw.shape, 0, numTest, mean),
    yTest: labels(raw.test.labels, 0, numTest),
  }
}
