/**
 * How long the sweep view's importance panel takes to compute (it runs on the UI thread when a run of
 * the sweep finishes): synthetic random searches of 3 params (a driver, noise, a category) from 20 to
 * 5,000 runs, the median of 5 rounds each. Run with `npx tsx src-worker/bench/importance.bench.ts`.
 *
 * `ML_RANDOM_FOREST=<folder of an installed ml-random-forest>` also times that library's fit on the same
 * rows (it is not a dependency; see the README's "Dependencies and why").
 */
import { performance } from 'node:perf_hooks'
import { syntheticSweep } from '../../src-shared/importanceFixtures'
import { sweepImportance } from '../../src-shared/paramImportance'
import { fitForest } from '../../src-shared/randomForest'

const LR = 'solver.optimConfig.learningRate'
const ROUNDS = 5

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function time(f: () => void, rounds = ROUNDS): number {
  f() // warm-up
  const ms: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    f()
    ms.push(performance.now() - t0)
  }
  return median(ms)
}

interface MlForest {
  RandomForestRegression: new (o: Record<string, unknown>) => { train(x: number[][], y: number[]): void }
}

async function main(): Promise<void> {
  const mlPath = process.env['ML_RANDOM_FOREST']
  const ml = mlPath ? ((await import(mlPath)) as MlForest) : null
  console.log(`runs | panel (ms) | our forest fit (ms)${ml ? ' | ml-random-forest fit (ms)' : ''}`)
  for (const samples of [20, 200, 1000, 5000]) {
    const { spec, runs } = syntheticSweep(
      {
        name: 'bench',
        method: 'random',
        samples,
        seed: 1,
        params: {
          [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
          'model.reg': { min: 1e-4, max: 1, scale: 'log' },
          'solver.updateRule': { values: ['sgd', 'sgdMomentum', 'adam'] },
        },
      },
      { accuracy: (v) => 0.8 - 0.15 * Math.abs(Math.log10(v[LR] as number) + 3), noise: 0.02 },
    )
    const panel = time(() => sweepImportance(spec, runs))
    const x = runs.map((r) => [
      Math.log10(r.config.solver.optimConfig.learningRate),
      Math.log10(r.config.model.reg),
      0,
    ])
    const y = runs.map((r) => r.result!.bestValAcc)
    const ours = time(() => fitForest(x, y, { trees: 100 }))
    let theirs = ''
    if (ml && samples <= 1000) {
      const fit = (): void =>
        new ml.RandomForestRegression({
          nEstimators: 100,
          maxFeatures: 1.0,
          replacement: false,
          useSampleBagging: true,
          seed: 3,
        }).train(x, y)
      theirs = ` | ${time(fit, 1).toFixed(0)}`
    } else if (ml) theirs = ' | (not run: minutes)'
    console.log(`${samples} | ${panel.toFixed(0)} | ${ours.toFixed(0)}${theirs}`)
  }
}

void main()
