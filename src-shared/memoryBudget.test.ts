import { describe, expect, it } from 'vitest'
import { formatBytes, parseByteSize } from './byteSize'
import { budgetedBytes, defaultMemoryBudget, fitsNextTo, resolveMemoryBudget } from './memoryBudget'

const GB = 2 ** 30
const MB = 2 ** 20

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [12 * 1024, '12 KB'],
    [1.5 * MB, '1.5 MB'],
    [800 * MB, '800 MB'],
    [12 * GB, '12 GB'],
    [48.4 * GB, '48 GB'],
    [9.97 * GB, '10 GB'],
    [1023.7 * MB, '1 GB'],
    [3 * 2 ** 40, '3 TB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe('parseByteSize', () => {
  const total = 16 * GB
  it.each([
    ['12GB', 12 * GB],
    ['12 GB', 12 * GB],
    ['12 gib', 12 * GB],
    ['1.5G', 1.5 * GB],
    ['800MB', 800 * MB],
    ['800 m', 800 * MB],
    ['4096B', 4096],
    ['50%', 8 * GB],
    ['0.5', 8 * GB],
    ['1', 16 * GB],
  ])('%s is %d bytes of a 16 GB machine', (text, bytes) => {
    expect(parseByteSize(text, total)).toEqual({ ok: true, bytes })
  })

  it.each(['', 'lots', '12 GBs', '-1GB', '0', '0%', '150%', '12 XB', '0GB'])(
    'refuses %j with what it expects',
    (text) => {
      const r = parseByteSize(text, total)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.message).toMatch(/12GB|more than 0|\(0%, 100%\]|a fraction/)
    },
  )

  it('asks for a unit rather than guess what a bare 12 means', () => {
    expect(parseByteSize('12', total)).toEqual({
      ok: false,
      message: "give '12' a unit (12GB, 12MB) or write a fraction such as 0.5",
    })
  })
})

describe('defaultMemoryBudget', () => {
  it.each([
    [4, 1],
    [8, 4],
    [16, 8],
    [24, 12],
    [64, 32],
  ])('leaves room for the OS, the app and a browser: %d GB of memory gives %d GB', (total, budget) => {
    expect(defaultMemoryBudget(total * GB)).toBe(budget * GB)
  })

  it('is the setting when there is one, the default otherwise', () => {
    expect(resolveMemoryBudget(undefined, 16 * GB)).toEqual({ ok: true, bytes: 8 * GB })
    expect(resolveMemoryBudget('  ', 16 * GB)).toEqual({ ok: true, bytes: 8 * GB })
    expect(resolveMemoryBudget('3GB', 16 * GB)).toEqual({ ok: true, bytes: 3 * GB })
    expect(resolveMemoryBudget('half', 16 * GB).ok).toBe(false)
  })
})

describe('fitsNextTo', () => {
  const run = (gb: number, dataset = 'cifar10') => ({ bytes: gb * GB, dataset, datasetBytes: 0.5 * GB })

  it('counts every run and each dataset once', () => {
    expect(budgetedBytes([run(1), run(2), run(1, 'mnist')])).toBe(5 * GB)
  })

  it('starts a run only when it fits next to those training', () => {
    const running = [run(4), run(4)]
    // 4 + 4 + 0.5 GB of CIFAR-10 train already.
    expect(fitsNextTo(run(3.5), running, 12 * GB)).toBe(true)
    expect(fitsNextTo(run(4), running, 12 * GB)).toBe(false)
    // Another dataset counts too.
    expect(fitsNextTo(run(3.5, 'mnist'), running, 12 * GB)).toBe(false)
    expect(fitsNextTo(run(4), [run(4)], 12 * GB)).toBe(true)
  })
})
