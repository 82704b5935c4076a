/**
 * Datasets as they are read from disk: uint8 images, channels-first per image, and uint8 labels, kept
 * once per process in SharedArrayBuffers so every training worker reads the same memory without a copy.
 * Float conversion (minus the training mean) happens per minibatch, in the engine.
 */

export type DatasetFormat = 'cifar10-python' | 'cifar10-binary' | 'idx'

/** One split of a dataset as stored: `count` images of C*H*W bytes each, and their labels. */
export interface ImageSplit {
  /** count * C * H * W bytes, image after image, each channels-first (C, H, W). SharedArrayBuffer-backed. */
  images: Uint8Array
  /** count labels in [0, classNames.length). SharedArrayBuffer-backed. */
  labels: Uint8Array
  count: number
}

export interface RawDataset {
  format: DatasetFormat
  /** Image shape (C, H, W): (3, 32, 32) for CIFAR-10, (1, 28, 28) for MNIST and Fashion-MNIST. */
  shape: [number, number, number]
  /** Class names from the dataset's own metadata (batches.meta, batches.meta.txt) or its known list. */
  classNames: string[]
  train: ImageSplit
  test: ImageSplit
  /** The files the data was read from, for error messages and the registry. */
  files: string[]
}

/** A uint8 array over a SharedArrayBuffer: what workers receive without copying. */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n))
}
