// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import {
  syntheticSweep,
  type SyntheticOptions,
  type SyntheticSpec,
} from '../../../src-shared/importanceFixtures'
import { createAppI18n } from '../i18n'
import { sweptParams } from '../lib/sweepView'
import SweepImportance from './SweepImportance.vue'

const LR = 'solver.optimConfig.learningRate'
const REG = 'model.reg'
const RULE = 'solver.updateRule'

const twoLogRanges = (samples: number): SyntheticSpec => ({
  name: 'panel',
  method: 'random',
  samples,
  seed: 3,
  params: { [LR]: { min: 1e-5, max: 1e-1, scale: 'log' }, [REG]: { min: 1e-4, max: 1, scale: 'log' } },
})
/** Higher lr, lower accuracy; reg does nothing. */
const lrHurts: SyntheticOptions = { accuracy: (v) => 0.3 - 0.1 * Math.log10(v[LR] as number), noise: 0.01 }

function mountPanel(spec: SyntheticSpec, options: SyntheticOptions, locale: 'en' | 'zh-CN' = 'en') {
  const sweep = syntheticSweep(spec, options)
  const wrapper = mount(SweepImportance, {
    props: { spec: sweep.spec, runs: sweep.runs, params: sweptParams(sweep.spec) },
    global: { plugins: [createAppI18n(locale)], stubs: { RouterLink: true } },
  })
  return { wrapper, ...sweep }
}

const rows = (w: ReturnType<typeof mountPanel>['wrapper']) => w.findAll('[data-testid="importance-row"]')

describe('SweepImportance', () => {
  it('ranks the driver first with its share, direction and coefficients; the noise near zero', () => {
    const { wrapper } = mountPanel(twoLogRanges(40), lrHurts)
    expect(wrapper.get('h2').text()).toBe('Which hyperparameter mattered')
    expect(wrapper.get('[data-testid="sweep-importance"]').attributes('data-status')).toBe('ok')
    const [first, second] = rows(wrapper)
    expect(first!.attributes('data-param')).toBe(LR)
    expect(second!.attributes('data-param')).toBe(REG)
    expect(Number(first!.attributes('data-importance'))).toBeGreaterThan(0.8)
    expect(Number(second!.attributes('data-importance'))).toBeLessThan(0.05)
    expect(first!.text()).toContain('learningRate')
    expect(first!.text()).toContain('log scale')
    expect(first!.get('[data-testid="importance-effect"]').text()).toBe(
      'higher learningRate → lower accuracy (strong)',
    )
    expect(first!.get('[data-testid="importance-effect"]').attributes('data-trend')).toBe('down')
    expect(first!.text()).toMatch(/Spearman ρ -0\.99, Pearson r of log learningRate -0\.99/)
    expect(second!.get('[data-testid="importance-effect"]').text()).toBe(
      'no steady trend, and it barely matters',
    )
    expect(wrapper.get('[data-testid="importance-notes"]').text()).toBe('Based on 40 of the sweep’s 40 runs.')
    expect(wrapper.get('[data-testid="importance-rest"]').text()).toMatch(
      /Interactions between hyperparameters and run-to-run noise: \d+%\. The forest predicts runs it did not train on with an out-of-bag R² of 0\.\d+\./,
    )
    expect(wrapper.text()).toContain('random forest of 100 trees')
    expect(wrapper.find('[data-testid="importance-weak"]').exists()).toBe(false)
  })

  it('a param whose best value lies inside its range matters without a steady trend', () => {
    // A grid symmetric around the optimum at 1e-3: rho is about 0, yet lr decides the accuracy.
    const { wrapper } = mountPanel(
      {
        name: 'peak',
        method: 'grid',
        params: {
          [LR]: { min: 1e-5, max: 1e-1, scale: 'log', steps: 9 },
          [REG]: { min: 1e-4, max: 1, scale: 'log', steps: 3 },
        },
      },
      { accuracy: (v) => 0.8 - 0.15 * Math.abs(Math.log10(v[LR] as number) + 3), noise: 0.01 },
    )
    const first = rows(wrapper)[0]!
    expect(first.attributes('data-param')).toBe(LR)
    expect(Number(first.attributes('data-importance'))).toBeGreaterThan(0.6)
    expect(first.get('[data-testid="importance-effect"]').text()).toBe(
      'no steady trend: the best value lies in between',
    )
  })

  it('in Chinese', () => {
    const { wrapper } = mountPanel(twoLogRanges(40), lrHurts, 'zh-CN')
    expect(wrapper.get('h2').text()).toBe('哪个超参数起了作用')
    expect(rows(wrapper)[0]!.get('[data-testid="importance-effect"]').text()).toBe(
      'learningRate 越高 → 准确率越低（强）',
    )
    expect(rows(wrapper)[0]!.text()).toContain('对数尺度')
    expect(wrapper.get('[data-testid="importance-notes"]').text()).toBe(
      '依据此超参数搜索 40 个训练中的 40 个。',
    )
  })

  it('too few runs: says how many it has, how many it needs and why, and shows no ranking', () => {
    const { wrapper } = mountPanel(twoLogRanges(7), {
      ...lrHurts,
      status: (i) => (i < 2 ? 'queued' : 'completed'),
    })
    expect(wrapper.get('[data-testid="importance-too-few"]').text()).toBe(
      'Too few runs to say yet: 5 finished, and comparing 2 hyperparameters needs at least 8 (at least 8, and 3 per hyperparameter that varies). With fewer, a random forest can rank a hyperparameter that does nothing as high as the one that matters.',
    )
    expect(wrapper.find('[data-testid="importance-table"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="importance-notes"]').text()).toContain(
      '2 runs that have not finished (queued, running, cancelled or interrupted) are left out.',
    )
    const zh = mountPanel(
      twoLogRanges(7),
      { ...lrHurts, status: (i) => (i < 2 ? 'queued' : 'completed') },
      'zh-CN',
    )
    expect(zh.wrapper.get('[data-testid="importance-too-few"]').text()).toContain(
      '训练太少，暂时无法判断：已完成 5 个，而要比较 2 个超参数，至少需要 8 个',
    )
  })

  it('says how diverged and otherwise failed runs are counted', () => {
    const { wrapper, runs } = mountPanel(
      {
        ...twoLogRanges(30),
        params: { [LR]: { min: 1e-5, max: 1, scale: 'log' }, [REG]: { min: 1e-4, max: 1, scale: 'log' } },
      },
      {
        accuracy: (v) => ((v[LR] as number) > 0.1 ? 0 : 0.9 + 0.05 * Math.log10(v[LR] as number)),
        divergeBelow: 0.01,
        status: (i) => (i === 0 ? 'failed' : 'completed'),
      },
    )
    const diverged = runs.filter((r) => r.error?.reason === 'diverged').length
    const completed = runs.filter((r) => r.status === 'completed')
    const worst = Math.min(...completed.map((r) => r.result!.bestValAcc))
    expect(diverged).toBeGreaterThan(1)
    const notes = wrapper.findAll('[data-testid="importance-notes"] li').map((l) => l.text())
    expect(notes).toEqual([
      `Based on ${completed.length + diverged} of the sweep’s 30 runs.`,
      `${diverged} runs diverged and count as the worst accuracy of the completed runs (${(worst * 100).toFixed(1)}%): blowing up is what their hyperparameters did.`,
      '1 run that failed for another reason (a crash, memory, the dataset) is left out: it says nothing about the accuracy.',
    ])
    expect(rows(wrapper)[0]!.attributes('data-param')).toBe(LR)
  })

  it('a categorical param lists each value’s mean accuracy, best first', () => {
    const mean: Record<string, number> = { adam: 0.8, sgdMomentum: 0.6, sgd: 0.4 }
    const { wrapper } = mountPanel(
      {
        name: 'rules',
        method: 'grid',
        params: {
          [RULE]: { values: ['sgd', 'sgdMomentum', 'adam'] },
          'model.hiddenDim': { values: [50, 100, 150] },
        },
      },
      { accuracy: (v) => mean[v[RULE] as string]!, noise: 0.01 },
    )
    const first = rows(wrapper)[0]!
    expect(first.attributes('data-param')).toBe(RULE)
    expect(first.find('[data-testid="importance-effect"]').exists()).toBe(false)
    const cats = first
      .get('[data-testid="importance-categories"]')
      .findAll('.cat')
      .map((c) => c.text())
    expect(cats.map((c) => c.split(' ')[0])).toEqual(['adam', 'sgdMomentum', 'sgd'])
    expect(cats[0]).toMatch(/^adam (79\.\d|8\d\.\d)% \(3 runs\)$/)
  })

  it('a param that took one value, and accuracy that is noise only, are said plainly', () => {
    const { wrapper } = mountPanel(
      {
        ...twoLogRanges(40),
        seed: 11,
        params: { [LR]: { min: 1e-5, max: 1e-1, scale: 'log' }, [RULE]: { values: ['adam'] } },
      },
      { accuracy: () => 0.5, noise: 0.05 },
    )
    expect(wrapper.get('[data-testid="importance-weak"]').text()).toMatch(
      /^Weak evidence: .*out-of-bag R² -?\d/,
    )
    const last = rows(wrapper).at(-1)!
    expect(last.attributes('data-param')).toBe(RULE)
    expect(last.text()).toContain('took a single value in these runs')
  })
})
