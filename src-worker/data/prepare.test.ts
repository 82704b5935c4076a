import { describe, expect, it } from 'vitest'
import { defaultSplits, meanImage, prepareData } from './prepare'
import { sharedBytes, type RawDataset } from './types'

/** A dataset whose pixel j of image i is (i + j) % 256 and whose label is i % 10. */
function synthetic(
  train: number,
  test: number,
  shape: [number, number, number],
  format: RawDataset['format'],
) {
  const D = shape[0] * shape[1] * shape[2]
  const split = (n: number, offset: number) => {
    const images = sharedBytes(n * D)
    for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) images[i * D + j] = (i + offset + j) % 256
    const labels = sharedBytes(n)
    for (let i = 0; i < n; i++) labels[i] = (i + offset) % 10
    return { images, labels, count: n }
  }
  const raw: RawDataset = {
    format,
    shape,
    classNames: Array.from({ length: 10 }, (_, i) => `class ${i}`),
    train: split(train, 0),
    test: split(test, 1000),
    files: [],
  }
  return raw
}

describe('prepareData', () => {
  it("uses CS231n's CIFAR-10 sizes and Fashion-MNIST's generalisation, capped to what exists", () => {
    const cifar = { format: 'cifar10-python' as const, train: { count: 50000 }, test: { count: 10000 } }
    expect(defaultSplits(cifar as never)).toEqual({ numTraining: 49000, numValidation: 1000, numTest: 1000 })
    const fashion = { format: 'idx' as const, train: { count: 60000 }, test: { count: 10000 } }
    expect(defaultSplits(fashion as never)).toEqual({
      numTraining: 59000,
      numValidation: 1000,
      numTest: 10000,
    })
    const small = { format: 'idx' as const, train: { count: 200 }, test: { count: 50 } }
    expect(defaultSplits(small as never)).toEqual({ numTraining: 180, numValidation: 20, numTest: 50 })
  })

  it('splits train / next rows as validation / first test rows, minus the training mean', () => {
    const raw = synthetic(30, 12, [1, 2, 3], 'idx')
    const p = prepareData(raw, { numTraining: 20, numValidation: 5, numTest: 8 })
    expect(p.XTrain.shape).toEqual([20, 1, 2, 3])
    expect(p.XVal.shape).toEqual([5, 1, 2, 3])
    expect(p.XTest.shape).toEqual([8, 1, 2, 3])
    // Mean of (i + j) over i < 20 is 9.5 + j.
    expect([...p.mean]).toEqual([9.5, 10.5, 11.5, 12.5, 13.5, 14.5])
    expect([...p.yVal]).toEqual([0, 1, 2, 3, 4])
    expect([...p.yTest.subarray(0, 3)]).toEqual([0, 1, 2])
    const out = new Float32Array(6)
    p.XVal.readRows(Int32Array.of(2), 1, out) // training image 22
    expect([...out]).toEqual([12.5, 12.5, 12.5, 12.5, 12.5, 12.5])
    p.XTest.readRows(Int32Array.of(0), 1, out) // test image 0 = (1000 + j) % 256 = 232 + j
    expect([...out]).toEqual([222.5, 222.5, 222.5, 222.5, 222.5, 222.5])
  })

  it('shares the raw bytes instead of copying them', () => {
    const raw = synthetic(30, 12, [1, 2, 3], 'idx')
    const p = prepareData(raw, { numTraining: 20, numValidation: 5, numTest: 8 })
    raw.train.images[0] = 200
    const out = new Float32Array(6)
    p.XTrain.readRows(Int32Array.of(0), 1, out)
    expect(out[0]).toBe(200 - 9.5)
  })

  it('reuses a given mean and rejects impossible splits with the field named', () => {
    const raw = synthetic(30, 12, [1, 2, 3], 'idx')
    const mean = meanImage(raw.train.images, 10, 6)
    expect(prepareData(raw, { numTraining: 10 }, { mean }).mean).toBe(mean)
    expect(() => prepareData(raw, { numTraining: 26, numValidation: 5 })).toThrow(
      /numTraining \(26\) \+ numValidation \(5\) exceed the 30 training images/,
    )
    expect(() => prepareData(raw, { numTest: 13 })).toThrow(/numTest \(13\) exceeds the 12 test images/)
    expect(() => prepareData(raw, { numValidation: 0 })).toThrow(
      /numValidation must be a positive integer, got 0/,
    )
    expect(() => prepareData(raw, {}, { mean: new Float32Array(3) })).toThrow(
      /mean has 3 values, images have 6/,
    )
  })
})
