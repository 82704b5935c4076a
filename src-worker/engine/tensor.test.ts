import { describe, expect, it } from 'vitest'
import { Arena, withArena } from './memory'
import { Rng, randomSeed } from './rng'
import { astype, clone, formatShape, isTensor, reshape, scratch, sizeOf, tensor, zeros } from './tensor'

describe('tensor()', () => {
  it('builds from flat arrays and typed arrays, float32 by default', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3])
    expect(t.shape).toEqual([2, 3])
    expect(t.dtype).toBe('float32')
    expect(t.data).toBeInstanceOf(Float32Array)
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6])
    const d = tensor(Float32Array.from([0.1, 0.2]), [2], 'float64')
    expect(d.data).toBeInstanceOf(Float64Array)
    expect(d.data[0]).toBe(Math.fround(0.1))
    // float32 rounds.
    expect(tensor([0.1], [1]).data[0]).toBe(Math.fround(0.1))
  })

  it('builds from nested arrays whose nesting matches the shape', () => {
    expect(
      Array.from(
        tensor(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [2, 3],
          'float64',
        ).data,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6])
    const t3 = tensor(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
        [
          [9, 10],
          [11, 12],
        ],
      ],
      [3, 2, 2],
    )
    expect(t3.shape).toEqual([3, 2, 2])
    expect(Array.from(t3.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  })

  it('copies its inputs', () => {
    const shape = [2]
    const src = [1, 2]
    const t = tensor(src, shape)
    shape[0] = 5
    src[0] = 9
    expect(t.shape).toEqual([2])
    expect(t.data[0]).toBe(1)
  })

  it('rejects values that do not fill the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values do not fill shape (2, 2) (4 elements)')
    expect(() => tensor([1, 2, 3], [4])).toThrow('shape (4,)')
    expect(() => tensor([[1, 2], [3]], [2, 2])).toThrow(
      'tensor: values[1] must have 2 entries for shape (2, 2), got 1 entries',
    )
    expect(() =>
      tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [3, 2],
      ),
    ).toThrow('tensor: values must have 3 entries for shape (3, 2), got 2')
    expect(() =>
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        [4],
      ),
    ).toThrow('tensor: values must have 4 entries for shape (4,), got 2 entries')
    expect(() => tensor([[1], [2], [3], [4]], [4])).toThrow(
      'tensor: values[0] must be a number for shape (4,), got an array',
    )
    expect(() => tensor([1, [2], 3] as never, [3])).toThrow(
      'tensor: values[1] must be a number for shape (3,), got an array',
    )
  })

  it('rejects non-numbers, bad shapes and bad dtypes', () => {
    expect(() => tensor([1, '2'] as never, [2])).toThrow('tensor: values[1] must be a number, got string')
    expect(() => tensor([1, 2], [-1, -2])).toThrow('tensor: shape (-1, -2) must hold non-negative integers')
    expect(() => tensor([1, 2], [2.5])).toThrow('must hold non-negative integers')
    expect(() => tensor([1], [1], 'float16' as never)).toThrow(
      "tensor: dtype must be 'float32' or 'float64', got float16",
    )
    expect(() => zeros([2], 'int32' as never)).toThrow(
      "zeros: dtype must be 'float32' or 'float64', got int32",
    )
    expect(() => astype(zeros([2]), 'int8' as never)).toThrow("astype: dtype must be 'float32' or 'float64'")
  })
})

describe('tensor helpers', () => {
  it('sizeOf and formatShape', () => {
    expect(sizeOf([2, 3, 4])).toBe(24)
    expect(sizeOf([])).toBe(1)
    expect(sizeOf([5, 0])).toBe(0)
    expect(formatShape([3])).toBe('(3,)')
    expect(formatShape([2, 3])).toBe('(2, 3)')
    expect(formatShape([])).toBe('()')
  })

  it('zeros, clone, astype and reshape', () => {
    const z = zeros([2, 3], 'float64')
    expect(z.data).toBeInstanceOf(Float64Array)
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0])
    expect(zeros([2]).dtype).toBe('float32')

    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3], 'float64')
    const c = clone(t)
    c.data[0] = 100
    expect(t.data[0]).toBe(1)

    const f = astype(t, 'float32')
    expect(f.dtype).toBe('float32')
    expect(f.data).toBeInstanceOf(Float32Array)
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6])

    const r = reshape(t, [3, 2])
    expect(r.shape).toEqual([3, 2])
    r.data[1] = 42
    expect(t.data[1]).toBe(42)
    expect(() => reshape(t, [4, 2])).toThrow('reshape: cannot view (2, 3) as (4, 2)')
    expect(() => reshape(t, [-2, -3])).toThrow('reshape: shape (-2, -3) must hold non-negative integers')
  })

  it('isTensor', () => {
    expect(isTensor(zeros([1]))).toBe(true)
    expect(isTensor({ shape: [1], data: [0], dtype: 'float32' })).toBe(false)
    expect(isTensor(null)).toBe(false)
    expect(isTensor([1])).toBe(false)
  })
})

describe('Arena', () => {
  it('hands back, per step, the buffer the same request got on the previous step', () => {
    const arena = new Arena()
    const step = (): [Float32Array | Float64Array, Float32Array | Float64Array] =>
      withArena(arena, () => [scratch([4], 'float32').data, scratch([2, 3], 'float64').data])
    const [a1, b1] = step()
    expect(arena.allocatedBytes).toBe(4 * 4 + 6 * 8)
    a1[0] = 7
    b1[5] = 9
    const [a2, b2] = step()
    expect(a2).toBe(a1)
    expect(b2).toBe(b1)
    // `scratch` zero-fills reused buffers.
    expect(a2[0]).toBe(0)
    expect(b2[5]).toBe(0)
    expect(arena.allocatedBytes).toBe(64)
  })

  it('allocates afresh when a request changes size or dtype', () => {
    const arena = new Arena()
    withArena(arena, () => scratch([4], 'float32'))
    const b = withArena(arena, () => scratch([5], 'float32')).data
    expect(b.length).toBe(5)
    expect(arena.allocatedBytes).toBe(16 + 20)
    const c = withArena(arena, () => scratch([5], 'float64')).data
    expect(c).toBeInstanceOf(Float64Array)
    expect(arena.allocatedBytes).toBe(16 + 20 + 40)
  })

  it('serves fresh buffers outside withArena and restores the outer arena after a nested one or a throw', () => {
    const x = scratch([3], 'float32').data
    const y = scratch([3], 'float32').data
    expect(x).not.toBe(y)

    const outer = new Arena()
    const inner = new Arena()
    withArena(outer, () => {
      scratch([2], 'float32')
      withArena(inner, () => scratch([8], 'float32'))
      scratch([3], 'float32')
    })
    expect(outer.allocatedBytes).toBe(8 + 12)
    expect(inner.allocatedBytes).toBe(32)

    expect(() =>
      withArena(outer, () => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    scratch([100], 'float32')
    expect(outer.allocatedBytes).toBe(20)
  })

  it('never serves zeros() from the arena', () => {
    const arena = new Arena()
    withArena(arena, () => zeros([10], 'float64'))
    expect(arena.allocatedBytes).toBe(0)
  })
})

describe('Rng', () => {
  it('produces the xoshiro128** stream seeded through splitmix32', () => {
    // Computed with a Python port of Vigna's xoshiro128starstar.c (v1.1), itself checked against the
    // reference outputs 11520, 0, 5927040, ... from state {1, 2, 3, 4}, plus the splitmix32 seeding.
    const a = new Rng(0)
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual([
      3809008728, 1133695204, 53579671, 2891528803, 139681546,
    ])
    const b = new Rng(231)
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual([
      1063392866, 3410270194, 2963476754, 3358441370, 1007389944,
    ])
    const c = new Rng(4294967295)
    expect(Array.from({ length: 3 }, () => c.nextUint32())).toEqual([835879718, 1921286648, 2356205009])
    const d = new Rng(231)
    expect(d.random()).toBe(0.24759045089792753)
    expect(d.random()).toBe(0.6899882017221157)
  })

  it('gives the same stream for the same seed and another for another seed', () => {
    const draw = (r: Rng): number[] => [
      r.nextUint32(),
      r.random(),
      r.normal(),
      r.normal(),
      r.normal(),
      r.int(10),
    ]
    expect(draw(new Rng(42))).toEqual(draw(new Rng(42)))
    expect(draw(new Rng(42))).not.toEqual(draw(new Rng(43)))
    const f1 = new Rng(5).fork()
    const f2 = new Rng(5).fork()
    expect(draw(f1)).toEqual(draw(f2))
    const parent = new Rng(5)
    const child = parent.fork()
    expect(draw(child)).not.toEqual(draw(parent))
  })

  it('normal() has mean ~0 and std ~1 over 1e5 draws', () => {
    const r = new Rng(2024)
    const n = 100_000
    let s = 0
    let s2 = 0
    for (let i = 0; i < n; i++) {
      const v = r.normal()
      s += v
      s2 += v * v
    }
    const mean = s / n
    const std = Math.sqrt(s2 / n - mean * mean)
    // Standard errors: 0.003 for the mean, 0.0022 for the std.
    expect(Math.abs(mean)).toBeLessThan(0.015)
    expect(Math.abs(std - 1)).toBeLessThan(0.01)
  })

  it('random() is in [0, 1) and int(n) covers [0, n) evenly', () => {
    const r = new Rng(7)
    const counts = new Array(10).fill(0)
    let outside = 0
    for (let i = 0; i < 50_000; i++) {
      const u = r.random()
      if (!(u >= 0 && u < 1)) outside++
      counts[r.int(10)]++
    }
    expect(outside).toBe(0)
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(300)
  })

  it('rejects a non-finite seed; randomSeed() is a 32-bit unsigned integer', () => {
    expect(() => new Rng(NaN)).toThrow('Rng: seed must be a finite number, got NaN')
    const s = randomSeed()
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true)
  })
})
