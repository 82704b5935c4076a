/**
 * The capture's statistics kernel against its specification (tensorStats, equal to the last bit) and its
 * histograms against numpy's np.histogram with the same bin edges (binEdges), run through python3 on the
 * same values. CI installs python3-numpy; elsewhere, without it, the numpy test says so and is skipped.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BIN_COUNT,
  CENTRE_BIN,
  MAX_MAGNITUDE,
  MIN_MAGNITUDE,
  binEdges,
  expandHistogram,
  tensorStats,
} from '../../../src-shared/layerStats'
import { nativeAvailability, setBackend } from '../backend'
import { Rng } from '../rng'
import { diffNorm2, fastTensorStats, norm2, reluPairStats } from './stats'

const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' })
const NO_NUMPY =
  probe.status === 0
    ? null
    : `skipped: the numpy reference needs python3 with numpy (apt-get install python3-numpy): ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`
if (NO_NUMPY && process.env['CI']) throw new Error(NO_NUMPY.replace('skipped', 'CI must run this'))
if (NO_NUMPY) console.warn(NO_NUMPY)

function python<T>(script: string, input: unknown): T {
  const prelude = 'import json, sys\nimport numpy as np\ndata = json.load(sys.stdin)\n'
  const r = spawnSync('python3', ['-c', prelude + script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/**
 * Values across every regime: gaussians from 1e-9 to 1e5 in scale (both tails beyond the bins), exact
 * zeros, every bin edge of both signs and the doubles just below them, a tensor's worth of float32 values.
 */
function samples(): Float64Array {
  const rng = new Rng(7)
  const out: number[] = []
  for (const scale of [1e-9, 1e-6, 1e-3, 1, 30, 1e5])
    for (let i = 0; i < 400; i++) out.push(scale * rng.normal())
  for (let i = 0; i < 50; i++) out.push(0, -0)
  for (let b = 0; b < BIN_COUNT; b++) {
    for (const e of binEdges(b)) {
      out.push(e, e * (1 - 2 ** -52), e * (1 + 2 ** -52))
    }
  }
  out.push(MAX_MAGNITUDE, -MAX_MAGNITUDE, 3e38, -3e38, 1e300, MIN_MAGNITUDE, -MIN_MAGNITUDE)
  return Float64Array.from(out)
}

const BACKENDS = nativeAvailability().available ? (['native', 'ts'] as const) : (['ts'] as const)
if (!nativeAvailability().available)
  console.warn('stats on the native backend skipped: the addon is not built')

describe.each(BACKENDS)('fastTensorStats on the %s backend', (backend) => {
  beforeAll(() => void setBackend(backend))
  afterAll(() => void setBackend('auto'))

  it('equals tensorStats exactly (summary and histogram), on doubles and on float32 values', () => {
    const v = samples()
    expect(fastTensorStats(v)).toEqual(tensorStats(v))
    const f32 = Float32Array.from(v)
    expect(fastTensorStats(f32)).toEqual(tensorStats(f32))
  })

  it('counts NaN and infinities apart, and with relu reads max(x, 0) keeping NaN', () => {
    const v = Float64Array.from([1, -2, NaN, Infinity, -Infinity, 0.5, -0.25, 0])
    expect(fastTensorStats(v)).toEqual(tensorStats(v))
    const relu = Array.from(v, (x) => (x < 0 ? 0 : x))
    const r = fastTensorStats(v, true)
    expect(r).toEqual(tensorStats(relu))
    expect(r.summary.nonFinite).toBe(2)
    expect(r.summary.min).toBe(0)
  })

  it('reluPairStats gives both at once, each equal to tensorStats', () => {
    const v = samples()
    for (const values of [v, Float32Array.from(v), Float64Array.from([-0, -1, 0, NaN, -Infinity])]) {
      const relu = Array.from(values, (x) => (x < 0 ? 0 : x))
      const both = reluPairStats(values)
      expect(both.pre).toEqual(tensorStats(values))
      expect(both.post).toEqual(tensorStats(relu))
    }
  })

  it('gives empty summaries for no finite values', () => {
    expect(fastTensorStats(new Float32Array(0))).toEqual(tensorStats([]))
    expect(fastTensorStats(Float64Array.from([NaN]))).toEqual(tensorStats([NaN]))
  })

  it('norms in doubles', () => {
    expect(norm2([3, 4])).toBe(5)
    expect(norm2([9, 3, 4, 9], 1, 2)).toBe(5)
    expect(diffNorm2([4, 6], [1, 2])).toBe(5)
  })
})

describe.skipIf(NO_NUMPY !== null)('histograms against numpy', () => {
  it("match np.histogram over binEdges on the same values, side by side, with numpy's summary", () => {
    const v = samples()
    const f32 = Float32Array.from(v)
    // Without 1e300, whose square overflows (std is then Infinity, in numpy as in the specification).
    const v64 = v.filter((x) => Math.abs(x) < 1e300)
    for (const values of [v64, f32]) {
      const ours = fastTensorStats(values)
      // The positive side's lower edges; the negative side mirrors them on |x| (bins (-hi, -lo]), so numpy
      // bins |x| of each side with [lo, hi) bins, the last one open-ended as the outermost bins are.
      const lows = Array.from({ length: CENTRE_BIN }, (_, k) => binEdges(CENTRE_BIN + 1 + k)[0])
      const ref = python<{ neg: number[]; centre: number; pos: number[]; summary: number[] }>(
        `v = np.array([np.nan if x is None else x for x in data['values']], dtype=np.float64)
v = v[np.isfinite(v)]
edges = np.array(data['lows'] + [np.finfo(np.float64).max])
m = data['min']
pos, _ = np.histogram(v[v >= m], bins=edges)
neg, _ = np.histogram(-v[v <= -m], bins=edges)
centre = int(np.count_nonzero(np.abs(v) < m))
print(json.dumps({'neg': neg[::-1].tolist(), 'centre': centre, 'pos': pos.tolist(),
  'summary': [float(v.mean()), float(v.std()), float(v.min()), float(v.max())]}))`,
        // JSON has no Infinity (float32 overflows 1e300): null stands for it, and numpy drops it as we do.
        { values: Array.from(values, (x) => (Number.isFinite(x) ? x : null)), lows, min: MIN_MAGNITUDE },
      )
      expect(expandHistogram(ours.hist)).toEqual([...ref.neg, ref.centre, ...ref.pos])
      const [mean, std, min, max] = ref.summary as [number, number, number, number]
      expect(Math.abs(ours.summary.mean - mean)).toBeLessThanOrEqual(1e-12 * (Math.abs(mean) + std))
      expect(Math.abs(ours.summary.std / std - 1)).toBeLessThan(1e-12)
      expect(ours.summary.min).toBe(min)
      expect(ours.summary.max).toBe(max)
      expect(ours.summary.n + ours.summary.nonFinite).toBe(values.length)
      // 1e300 overflows float32 to Infinity.
      expect(ours.summary.nonFinite).toBe(values === f32 ? 1 : 0)
    }
  })
})
