import { describe, expect, it } from 'vitest'
import { getSource, sourceFileName, SOURCES } from './sources'
import { DATASET_NAME_PATTERN } from './validate'

describe('SOURCES', () => {
  it('lists the official downloads with their published checksums', () => {
    expect(Object.keys(SOURCES).sort()).toEqual(['cifar10', 'cifar10-binary', 'fashion-mnist', 'mnist'])
    for (const [key, source] of Object.entries(SOURCES)) {
      expect(source.name).toBe(key)
      expect(source.name).toMatch(DATASET_NAME_PATTERN)
      expect(source.classNames).toHaveLength(10)
      expect(source.license.length).toBeGreaterThan(10)
      expect(source.citation.length).toBeGreaterThan(10)
      for (const file of source.files) {
        expect(file.md5).toMatch(/^[0-9a-f]{32}$/)
        expect(new URL(file.url).protocol).toMatch(/^https?:$/)
        expect(file.size).toBeGreaterThan(0)
      }
    }
    expect(SOURCES.cifar10!.files).toMatchObject([
      {
        url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
        md5: 'c58f30108f718f92721af3b95e74349a',
      },
    ])
    expect(SOURCES['cifar10-binary']!.files[0]!.md5).toBe('c32a1d4ab5d03f1284b67883e8d87530')
    expect(SOURCES.mnist!.files.map((f) => sourceFileName(f))).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ])
    expect(SOURCES['fashion-mnist']!.files[0]!.url).toBe(
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz',
    )
  })

  it('is frozen and looked up by own names only', () => {
    expect(Object.isFrozen(SOURCES.mnist!.files[0])).toBe(true)
    expect(getSource('mnist')).toBe(SOURCES.mnist)
    expect(getSource('__proto__')).toBeUndefined()
    expect(getSource('constructor')).toBeUndefined()
    expect(() => sourceFileName({ url: 'https://x/a/', md5: '0'.repeat(32), unpack: 'keep' })).toThrow()
  })
})
