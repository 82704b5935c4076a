// The report's Diagnosis section reads the run's layer captures (layers.jsonl) as the run page does.
import { readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LayerCapture } from '../../../../src-shared/layerStats'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import { tinyRun, trainRuns, type TrainedRuns } from '../testing'
import { LAYERS_FILE } from '../../store/runStore'
import { buildReport } from './build'
import { blewUp } from './diagnosis'
import { renderReport } from './render'

interface FixtureRun {
  name: string
  seed: number
  events: MetricEvent[]
  captures: LayerCapture[]
}
const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../../../src-worker/bench/fixtures/diagnose-runs.json'), 'utf8'),
) as { runs: FixtureRun[] }
const numpyRun = (name: string) => fixture.runs.find((r) => r.name === name && r.seed === 1)!

const section = (html: string, id: string) => {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)
  if (!m) throw new Error(`no section ${id}`)
  return m[1]!
}

let t: TrainedRuns
let a: RunRecord
beforeAll(async () => {
  t = await trainRuns([tinyRun('with captures')], 'wb-report-layers-')
  a = t.runs[0]!
})
afterAll(async () => {
  await t.close()
})

describe('report diagnosis with layer captures', () => {
  it("reads the run's layers.jsonl and reports what the captures find, in both languages", async () => {
    const now = new Date('2026-12-02T12:00:00Z')
    // Its 10 iterations are too few for the curves to judge: no Diagnosis section at all.
    expect(await buildReport(t.wb, [a.id], { now })).not.toContain('<section id="diagnosis">')
    const lines = numpyRun('stopped-learning').captures.map((c) => JSON.stringify(c))
    // A damaged last line (a crash mid-write) costs that capture only.
    await writeFile(join(t.wb.store.runDir(a.id), LAYERS_FILE), lines.join('\n') + '\n{"iteration": 3')
    try {
      const en = section(await buildReport(t.wb, [a.id], { now }), 'diagnosis')
      expect(en).toContain('A layer stopped learning')
      expect(en).toContain('The update/weight ratio of layer2 fell to 0')
      const zh = section(await buildReport(t.wb, [a.id], { now, locale: 'zh-CN' }), 'diagnosis')
      expect(zh).toContain('某一层停止学习')
    } finally {
      await rm(join(t.wb.store.runDir(a.id), LAYERS_FILE))
    }
  })

  it('renders the findings of captures handed to it; without them, the curves alone', () => {
    const run = numpyRun('vanishing')
    const input = { record: a, metrics: run.events, mosaic: null }
    expect(section(renderReport([{ ...input, layers: run.captures }]), 'diagnosis')).toContain(
      'Vanishing gradients',
    )
    const curvesOnly = section(renderReport([input]), 'diagnosis')
    expect(curvesOnly).not.toContain('Vanishing gradients')
    expect(curvesOnly).toContain('Learning rate too low')
  })

  it('a high update/weight ratio is a warning, never a "blew up" caption', () => {
    const run = numpyRun('plateau')
    const html = renderReport([{ record: a, metrics: run.events, mosaic: null, layers: run.captures }])
    expect(section(html, 'diagnosis')).toContain('Learning rate too high')
    expect(blewUp(a, run.events)).toBe(false)
    expect(html).not.toContain('blew up')
  })
})
