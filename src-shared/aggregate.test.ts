/**
 * The aggregation math against an independent reference: numpy (mean, median, std with ddof=1, interp)
 * and scipy (Student-t quantiles), run through python3 on the same random data. CI installs both
 * (python3-numpy, python3-scipy); elsewhere, without them, the reference tests say so and are skipped.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  aggregateCurves,
  commonGrid,
  coverage,
  drawnRanges,
  sampleAt,
  sampleStats,
  tCdf,
  thinning,
  tQuantile,
  type Curve,
} from './aggregate'

const probe = spawnSync('python3', ['-c', 'import numpy, scipy.stats'], { encoding: 'utf8' })
const NO_NUMPY =
  probe.status === 0
    ? null
    : `skipped: the numpy/scipy reference needs python3 with numpy and scipy (apt-get install python3-numpy python3-scipy): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`
if (NO_NUMPY && process.env['CI']) throw new Error(NO_NUMPY.replace('skipped', 'CI must run this'))
if (NO_NUMPY) console.warn(NO_NUMPY)

/** Runs `script` with `input` as JSON on stdin (as `data`) and returns what it prints as JSON. */
function python<T>(script: string, input: unknown): T {
  const prelude =
    'import json, sys\nimport numpy as np\nimport scipy.stats as st\ndata = json.load(sys.stdin)\n'
  const r = spawnSync('python3', ['-c', prelude + script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** mulberry32: the same random data on every run of the test. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// NaN is not JSON: the script reads null as nan and writes nan as null.
const toJson = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? v : null))
const fromJson = (a: (number | null)[]) => a.map((v) => (v === null ? NaN : v))

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-9): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!
    const e = expected[i]!
    if (Number.isNaN(e)) {
      expect(a, `index ${i}`).toBeNaN()
      continue
    }
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)))
  }
}

describe('sampleStats', () => {
  it.skipIf(NO_NUMPY)('matches numpy and scipy on random samples of 1 to 40 values', () => {
    const r = rng(7)
    const samples = Array.from({ length: 200 }, (_, i) => {
      const n = 1 + (i % 40)
      const scale = 10 ** Math.floor(r() * 8 - 4)
      return Array.from({ length: n }, () => (r() - 0.3) * scale)
    })
    const ref = python<Record<string, (number | null)[]>>(
      `
out = {k: [] for k in ['mean', 'median', 'std', 'min', 'max', 'ci95']}
for s in data:
    a = np.array(s, dtype=float)
    n = len(a)
    out['mean'].append(float(np.mean(a)))
    out['median'].append(float(np.median(a)))
    out['min'].append(float(np.min(a)))
    out['max'].append(float(np.max(a)))
    sd = float(np.std(a, ddof=1)) if n > 1 else None
    out['std'].append(sd)
    out['ci95'].append(float(st.t.ppf(0.975, n - 1) * sd / np.sqrt(n)) if n > 1 else None)
print(json.dumps(out))
`,
      samples,
    )
    const ours = samples.map(sampleStats)
    for (const key of ['mean', 'median', 'std', 'min', 'max', 'ci95'] as const) {
      expectClose(
        ours.map((s) => s[key]),
        fromJson(ref[key]!),
      )
    }
    expect(ours.map((s) => s.n)).toEqual(samples.map((s) => s.length))
  })

  it('leaves out non-finite values and has no spread below two values', () => {
    const s = sampleStats([1, NaN, 3, Infinity, 2])
    expect(s).toMatchObject({ n: 3, mean: 2, median: 2, min: 1, max: 3, std: 1 })
    // t(0.975, 2) = 4.302652729749462; the CI half-width is t * s / sqrt(3).
    expect(s.ci95).toBeCloseTo((4.302652729749462 * 1) / Math.sqrt(3), 12)
    const one = sampleStats([5])
    expect(one).toMatchObject({ n: 1, mean: 5, median: 5, min: 5, max: 5 })
    expect(one.std).toBeNaN()
    expect(one.ci95).toBeNaN()
    expect(sampleStats([]).n).toBe(0)
    expect(sampleStats([NaN]).mean).toBeNaN()
  })

  it('keeps every digit of a tight spread around a large mean (two-pass variance)', () => {
    const s = sampleStats([1e9 + 1, 1e9 + 2, 1e9 + 3])
    expect(s.std).toBeCloseTo(1, 9)
  })
})

describe('Student t', () => {
  it('has the textbook 97.5% quantiles, and the closed forms for 1 and 2 degrees of freedom', () => {
    // Any t table: t(0.975, df).
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [9, 2.262],
      [19, 2.093],
      [29, 2.045],
      [120, 1.98],
    ]
    for (const [df, q] of table) expect(tQuantile(0.975, df)).toBeCloseTo(q, 3)
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5)
    expect(tQuantile(0.5, 3)).toBe(0)
    expect(tQuantile(0.025, 5)).toBeCloseTo(-tQuantile(0.975, 5), 12)
    // Bisection on the CDF against the closed forms (tCdf is then the inverse it claims to be).
    expect(tCdf(tQuantile(0.975, 1), 1)).toBeCloseTo(0.975, 12)
    expect(tCdf(tQuantile(0.9, 2), 2)).toBeCloseTo(0.9, 12)
  })

  it.skipIf(NO_NUMPY)('matches scipy for quantiles and the CDF over degrees of freedom 1 to 200', () => {
    const dfs = [...Array.from({ length: 60 }, (_, i) => i + 1), 75, 100, 150, 200]
    const ps = [0.6, 0.9, 0.95, 0.975, 0.995, 0.025]
    const ts = [-3.5, -1, 0.3, 1.7, 4, 12]
    const ref = python<{ q: number[][]; c: number[][] }>(
      `
print(json.dumps({'q': [[float(st.t.ppf(p, df)) for p in data['ps']] for df in data['dfs']],
                  'c': [[float(st.t.cdf(t, df)) for t in data['ts']] for df in data['dfs']]}))
`,
      { dfs, ps, ts },
    )
    dfs.forEach((df, i) => {
      expectClose(
        ps.map((p) => tQuantile(p, df)),
        ref.q[i]!,
        1e-9,
      )
      expectClose(
        ts.map((t) => tCdf(t, df)),
        ref.c[i]!,
        1e-11,
      )
    })
  })

  it('refuses what is not a probability or a degree of freedom', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p must be in \(0, 1\), got 1/)
    expect(() => tQuantile(0.9, 0)).toThrow(/degrees of freedom must be > 0, got 0/)
    expect(() => tCdf(1, -1)).toThrow(/degrees of freedom/)
  })
})

describe('curves on a common grid', () => {
  it('reads curves logged at the same x exactly, and a union of few x values as it is', () => {
    const a = { x: [1, 2, 3], y: [3, 2, 1] }
    const b = { x: [1, 2, 3, 4], y: [5, 4, 3, 2] }
    expect(Array.from(commonGrid([a, b]))).toEqual([1, 2, 3, 4])
    const agg = aggregateCurves([a, b], { center: 'mean', spread: 'minmax' })
    expect(Array.from(agg.center)).toEqual([4, 3, 2, NaN])
    expect(Array.from(agg.n)).toEqual([2, 2, 2, 1])
    expect(Array.from(agg.lower.slice(0, 3))).toEqual([3, 2, 1])
    expect(Array.from(agg.upper.slice(0, 3))).toEqual([5, 4, 3])
    // The line stops where fewer than 2 members remain, and says how far 2 went.
    expect(drawnRanges(agg)).toEqual([[0, 3]])
    expect(coverage(agg)).toEqual([{ n: 2, to: 3 }])
  })

  it('on many x values, spaces the grid evenly and keeps where each member starts and ends', () => {
    const long = { x: Array.from({ length: 1000 }, (_, i) => i), y: new Array(1000).fill(1) }
    const short = { x: Array.from({ length: 333 }, (_, i) => i * 1.5), y: new Array(333).fill(3) }
    const grid = commonGrid([long, short], 100)
    expect(grid[0]).toBe(0)
    expect(grid[grid.length - 1]).toBe(999)
    expect(Array.from(grid)).toContain(332 * 1.5)
    expect(grid.length).toBeLessThanOrEqual(102)
    for (let i = 1; i < grid.length; i++) expect(grid[i]!).toBeGreaterThan(grid[i - 1]!)
    const agg = aggregateCurves([long, short, long], { center: 'mean', spread: 'std', maxPoints: 100 })
    // Three members up to 498 (the short one's end), two after: the mean changes exactly there.
    expect(coverage(agg)).toEqual([
      { n: 3, to: 498 },
      { n: 2, to: 999 },
    ])
    expect(thinning(agg, 3)).toEqual(coverage(agg))
    // Every member as long as the others: nothing to say; a run without a curve yet: said.
    const even = aggregateCurves([long, long], { center: 'mean', spread: 'std' })
    expect(thinning(even, 2)).toBeNull()
    expect(thinning(even, 3)).toEqual([{ n: 2, to: 999 }])
    expect(thinning(aggregateCurves([long], { center: 'mean', spread: 'std' }), 1)).toBeNull()
    const at = (x: number) => agg.center[Array.from(agg.x).indexOf(x)]!
    expect(at(498)).toBeCloseTo(5 / 3, 12)
    expect(at(999)).toBe(1)
  })

  it('interpolates between points, and has nothing outside a curve or next to a non-finite value', () => {
    const c = { x: [0, 10, 20, 30], y: [0, 10, NaN, 30] }
    expect(Array.from(sampleAt(c, [-1, 0, 5, 10, 15, 25, 30, 31]))).toEqual([
      NaN,
      0,
      5,
      10,
      NaN,
      NaN,
      30,
      NaN,
    ])
    // Two points at one x: the later one.
    expect(Array.from(sampleAt({ x: [0, 1, 1, 2], y: [0, 5, 7, 9] }, [1, 1.5]))).toEqual([7, 8])
    expect(Array.from(sampleAt({ x: [], y: [] }, [1]))).toEqual([NaN])
  })

  it('cuts a band at the bounds of what the quantity can take', () => {
    const accs = [
      { x: [1, 2], y: [0.9, 0.99] },
      { x: [1, 2], y: [0.7, 0.95] },
    ]
    const agg = aggregateCurves(accs, { center: 'mean', spread: 'ci95', bounds: { min: 0, max: 1 } })
    // t(0.975, 1) = 12.7: the interval of two runs is far wider than 0..1.
    expect(agg.lower[0]).toBe(0)
    // 0.97 - 12.7 * 0.028 / sqrt(2): inside the bounds, kept.
    expect(agg.lower[1]).toBeCloseTo(0.97 - (12.706204736174698 * Math.SQRT2 * 0.02) / Math.SQRT2, 9)
    expect(Array.from(agg.upper)).toEqual([1, 1])
    expect(agg.center[0]).toBeCloseTo(0.8, 12)
    const free = aggregateCurves(accs, { center: 'mean', spread: 'ci95' })
    expect(free.upper[0]).toBeGreaterThan(2)
  })

  it('draws a lone run as itself, without a band', () => {
    const agg = aggregateCurves([{ x: [0, 1], y: [2, 4] }], { center: 'median', spread: 'ci95' })
    expect(agg.minMembers).toBe(1)
    expect(Array.from(agg.center)).toEqual([2, 4])
    expect(Array.from(agg.lower)).toEqual([2, 4])
    expect(Array.from(agg.upper)).toEqual([2, 4])
  })

  it('splits the drawn line where the members do not overlap', () => {
    const agg = aggregateCurves(
      [
        { x: [0, 1], y: [1, 1] },
        { x: [0, 1], y: [3, 3] },
        { x: [5, 6], y: [1, 1] },
        { x: [5, 6], y: [5, 5] },
      ],
      { center: 'mean', spread: 'minmax' },
    )
    expect(Array.from(agg.x)).toEqual([0, 1, 5, 6])
    expect(drawnRanges(agg)).toEqual([
      [0, 2],
      [2, 4],
    ])
    expect(Array.from(agg.center)).toEqual([2, 2, 3, 3])
  })

  it('is empty for no curves or curves without points', () => {
    expect(aggregateCurves([], { center: 'mean', spread: 'std' }).x.length).toBe(0)
    expect(aggregateCurves([{ x: [], y: [] }], { center: 'mean', spread: 'std' }).x.length).toBe(0)
  })

  it.skipIf(NO_NUMPY)(
    'matches numpy (interp, nanmean, nanmedian, nanstd ddof=1, t CI) on random curves of different lengths and x grids',
    () => {
      const r = rng(42)
      for (const [trial, spread] of (['minmax', 'std', 'ci95'] as const).entries()) {
        const curves: Curve[] = Array.from({ length: 3 + trial * 2 }, () => {
          const len = 5 + Math.floor(r() * 60)
          const step = 0.5 + r() * 3
          const start = r() * 4
          const x = Array.from({ length: len }, (_, i) => start + i * step + r() * 0.1)
          const y = x.map((v) => Math.exp(-v / 40) + (r() - 0.5) * 0.2)
          return { x, y }
        })
        for (const center of ['mean', 'median'] as const) {
          const ours = aggregateCurves(curves, { center, spread, maxPoints: 80 })
          const ref = python<Record<string, (number | null)[]>>(
            `
g = np.array(data['grid'])
ys = []
for c in data['curves']:
    x, y = np.array(c['x']), np.array(c['y'])
    ys.append(np.interp(g, x, y, left=np.nan, right=np.nan))
Y = np.array(ys)
n = np.sum(~np.isnan(Y), axis=0)
center, lower, upper = [], [], []
for i in range(len(g)):
    col = Y[:, i][~np.isnan(Y[:, i])]
    if len(col) < 2:
        center.append(None); lower.append(None); upper.append(None); continue
    m = float(np.mean(col))
    center.append(m if data['center'] == 'mean' else float(np.median(col)))
    if data['spread'] == 'minmax':
        lower.append(float(np.min(col))); upper.append(float(np.max(col)))
    else:
        h = float(np.std(col, ddof=1))
        if data['spread'] == 'ci95':
            h = float(st.t.ppf(0.975, len(col) - 1)) * h / np.sqrt(len(col))
        lower.append(m - h); upper.append(m + h)
print(json.dumps({'n': n.tolist(), 'center': center, 'lower': lower, 'upper': upper}))
`,
            {
              grid: Array.from(ours.x),
              curves: curves.map((c) => ({ x: Array.from(c.x), y: Array.from(c.y) })),
              center,
              spread,
            },
          )
          expect(Array.from(ours.n)).toEqual(ref['n'])
          expectClose(ours.center, fromJson(ref['center']!))
          expectClose(ours.lower, fromJson(ref['lower']!))
          expectClose(ours.upper, fromJson(ref['upper']!))
          // Not a vacuous comparison: most of the grid has a value.
          expect(toJson(ours.center).filter((v) => v !== null).length).toBeGreaterThan(ours.x.length / 3)
        }
      }
    },
  )
})
