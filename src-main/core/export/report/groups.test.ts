import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { GroupOptions } from '../../../../src-shared/runGroups'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import { makeRecord } from '../../store/testing'
import { ChromiumPdfPrinter } from '../pdf/chromium'
import { CHROMIUM, NO_CHROMIUM, NO_PDFTOPPM } from '../testing'
import { renderReport, type RunInput } from './render'

const LR = 'solver.optimConfig.learningRate'

/** A finished run of `iterations` iterations, 10 per epoch; its loss falls from `start`. */
function run(lr: number, seed: number, iterations: number, start: number, best: number): RunInput {
  const base = makeRecord().config
  const record: RunRecord = makeRecord({
    status: 'completed',
    config: {
      ...base,
      name: `lr ${lr} seed ${seed}`,
      seed,
      solver: { ...base.solver, optimConfig: { ...base.solver.optimConfig, learningRate: lr } },
    },
    progress: {
      iteration: iterations,
      numIterations: iterations,
      epoch: iterations / 10,
      numEpochs: iterations / 10,
    },
    result: {
      bestValAcc: best,
      finalTrainAcc: best,
      finalValAcc: best,
      valAcc: best,
      testAcc: best - 0.05,
      confusion: [],
      classNames: [],
    },
  })
  const metrics: MetricEvent[] = []
  for (let i = 1; i <= iterations; i++) {
    metrics.push({ type: 'iteration', iteration: i, loss: start / Math.sqrt(i) })
    if (i % 10 === 0)
      metrics.push({ type: 'epoch', epoch: i / 10, iteration: i, trainAcc: best * 1.1, valAcc: best, lr })
  }
  return { record, metrics, mosaic: null }
}

// lr 1e-3: three seeds, one of them stopped at 20 iterations of 40; lr 1e-2: two seeds.
const inputs = (): RunInput[] => [
  run(1e-2, 1, 40, 2, 0.5),
  run(1e-3, 1, 40, 3, 0.6),
  run(1e-3, 2, 40, 3.2, 0.7),
  run(1e-2, 2, 40, 2.1, 0.52),
  run(1e-3, 3, 20, 2.8, 0.8),
]
const byLr = (over: Partial<GroupOptions> = {}): GroupOptions => ({
  by: { kind: 'fields', fields: [LR] },
  center: 'mean',
  spread: 'std',
  members: false,
  ...over,
})
const section = (html: string, id: string) => {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)
  if (!m) throw new Error(`no section ${id}`)
  return m[1]!
}
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length
const now = new Date('2026-11-26T12:00:00Z')

describe('a grouped report', () => {
  it('draws one line and band per group, with the group sizes in each figure’s legend', () => {
    const html = renderReport(inputs(), { group: byLr(), now })
    const charts = section(html, 'charts')
    expect(count(charts, /<svg[\s>]/g)).toBe(2)
    expect(count(charts, /data-groups="2"/g)).toBe(2)
    // The legend of both figures, in legend order (ascending learning rate).
    expect(count(charts, />learningRate=1e-3 \(n=3\)</g)).toBe(2)
    expect(count(charts, />learningRate=0\.01 \(n=2\)</g)).toBe(2)
    expect(charts.indexOf('learningRate=1e-3 (n=3)')).toBeLessThan(charts.indexOf('learningRate=0.01 (n=2)'))
    // The bands: filled areas, one per group in the loss figure, two (val, train) in the accuracy figure.
    expect(count(charts, /fill-opacity="0\.2"/g)).toBe(2 + 4)
    expect(charts).toContain('the mean of its runs’ losses')
    expect(charts).toContain('band: mean ± 1 sample standard deviation')
  })

  it('says where a group rests on fewer runs, and ends its line where fewer than 2 remain', () => {
    const charts = section(renderReport(inputs(), { group: byLr(), now }), 'charts')
    expect(charts).toContain('learningRate=1e-3 (n=3): 3 runs up to iteration 20, 2 runs up to iteration 40.')
    expect(charts).not.toContain('learningRate=0.01 (n=2): ')
    expect(charts).toContain('A line ends where fewer than 2 of its group’s runs remain.')
  })

  it('tabulates each group: size, mean ± std of the best validation and test accuracy, its runs', () => {
    const groups = section(renderReport(inputs(), { group: byLr(), now }), 'groups')
    expect(groups).toContain('Runs grouped by solver.optimConfig.learningRate')
    const rows = [...groups.matchAll(/<tr data-n="(\d)">([\s\S]*?)<\/tr>/g)]
    expect(rows.map((r) => r[1])).toEqual(['3', '2'])
    // 0.6, 0.7, 0.8: mean 70.0%, sample std 10.0%.
    expect(rows[0]![2]).toContain('70.0% ± 10.0%')
    expect(rows[0]![2]).toContain('lr 0.001 seed 1, lr 0.001 seed 2, lr 0.001 seed 3')
    expect(rows[1]![2]).toContain('51.0% ± 1.4%')
  })

  it('colours each run in the results table as its group', () => {
    const html = renderReport(inputs(), { group: byLr(), now })
    const swatches = [...section(html, 'results').matchAll(/background:(#[0-9a-f]{6})/g)].map((m) => m[1])
    // Inputs: 1e-2, 1e-3, 1e-3, 1e-2, 1e-3; the 1e-3 group is first in the legend, so the first colour.
    expect(swatches).toEqual(['#ea580c', '#2563eb', '#2563eb', '#ea580c', '#2563eb'])
  })

  it('draws each member faintly when asked, and takes the median and the confidence interval', () => {
    const html = renderReport(inputs(), {
      group: byLr({ members: true, center: 'median', spread: 'ci95' }),
      now,
    })
    const charts = section(html, 'charts')
    // Five losses, and five val and five train accuracies.
    expect(count(charts, /stroke-opacity="0\.3"/g)).toBe(15)
    expect(charts).toContain('the median of its runs’ losses')
    expect(charts).toContain('95% confidence interval of the mean (Student’s t)')
    expect(charts).toContain('Faint lines: each run on its own.')
    expect(section(html, 'groups')).toContain('median ± std')
  })

  it('groups by everything except the seed, in Chinese too', () => {
    const zh = renderReport(inputs(), { group: byLr({ by: { kind: 'except-seed' } }), locale: 'zh-CN', now })
    expect(section(zh, 'groups')).toContain('按除随机种子外的全部设置分组')
    expect(count(section(zh, 'charts'), />learningRate=1e-3（n=3）</g)).toBe(2)
    expect(section(zh, 'charts')).toContain('3 个运行到第 20 次迭代，')
  })

  it('is a plain report without a grouping, and for a single run', () => {
    const plain = renderReport(inputs(), { now })
    expect(plain).not.toContain('id="groups"')
    expect(plain).not.toContain('(n=')
    const one = renderReport(inputs().slice(0, 1), { group: byLr(), now })
    expect(one).not.toContain('id="groups"')
  })
})

describe('a grouped PDF report', () => {
  it.skipIf(NO_CHROMIUM || NO_PDFTOPPM)(
    `prints the grouped figures, their legends with the group sizes as text ${NO_CHROMIUM ?? NO_PDFTOPPM ?? ''}`,
    async () => {
      const html = renderReport(inputs(), { group: byLr({ spread: 'ci95' }), now })
      const pdf = await new ChromiumPdfPrinter({ executablePath: CHROMIUM }).print(html)
      const dir = await mkdtemp(join(tmpdir(), 'wb-group-pdf-'))
      try {
        const file = join(dir, 'groups.pdf')
        await writeFile(file, pdf)
        const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
        expect(r.status, r.stderr).toBe(0)
        // The groups table and both figures' legends.
        expect(r.stdout.match(/learningRate=1e-3 \(n=3\)/g)?.length).toBeGreaterThanOrEqual(2)
        expect(r.stdout.match(/learningRate=0\.01 \(n=2\)/g)?.length).toBeGreaterThanOrEqual(2)
        expect(r.stdout).toContain('Groups')
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  )
})
