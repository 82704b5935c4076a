// Exports and reports over hand-damaged files: a damaged run named in a selection refuses the export
// (naming it); damaged weights cost the report a picture, with a note, never the report.
import { readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../../src-shared/runs'
import { StoreError } from '../store/errors'
import { decodeSafetensors } from '../store/safetensors'
import { exportCheckpoint } from './checkpoint'
import { exportRuns } from './files'
import { buildReport } from './report/build'
import { tinyRun, trainRuns, type TrainedRuns } from './testing'

let t: TrainedRuns
let a: RunRecord
let b: RunRecord
let c: RunRecord
beforeAll(async () => {
  t = await trainRuns([
    tinyRun('good', { numEpochs: 3 }),
    tinyRun('damaged'),
    tinyRun('weights', { numEpochs: 3 }),
  ])
  ;[a, b, c] = t.runs as [RunRecord, RunRecord, RunRecord]
  const file = join(t.wb.store.runDir(b.id), 'run.json')
  const raw = JSON.parse(await readFile(file, 'utf8')) as { config: Record<string, unknown> }
  // The case: valid JSON whose name is null (it crashed the export's file naming).
  raw.config.name = null
  await writeFile(file, JSON.stringify(raw))
})
afterAll(() => t.close())

const snapshot = (run: RunRecord, epoch: number) =>
  join(t.wb.store.runDir(run.id), 'snapshots', `w1-epoch-${epoch}.safetensors`)

describe('exporting a selection with a damaged run', () => {
  it.each(['csv', 'json', 'html'] as const)(
    '%s refuses, naming the run, its file and what is wrong',
    async (format) => {
      const err = await exportRuns(t.wb, [a.id, b.id], format).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect(err).toMatchObject({ code: 'corrupt', file: join(t.wb.store.runDir(b.id), 'run.json') })
      expect((err as Error).message).toMatch(
        new RegExp(`^run ${b.id} is damaged: .*run\\.json: config\\.name: `),
      )
      // The rest exports as ever.
      const file = await exportRuns(t.wb, [a.id], format)
      expect(file.fileName).toBe(`good-${a.id}.${format}`)
    },
  )
})

describe('a report with damaged weight snapshots', () => {
  it('shows the other epochs, notes the damaged one, and the rest of the report is whole', async () => {
    await truncate(snapshot(c, 1), 50)
    const html = await buildReport(t.wb, [c.id])
    const mosaics = /<section id="mosaics">([\s\S]*?)<\/section>/.exec(html)![1]!
    expect(mosaics).toContain('<img src="data:image/png;base64,')
    expect(mosaics).toContain('epoch 3')
    expect(mosaics).toContain('The saved weights of epoch 1 are damaged and left out.')
    expect(html).toContain('<section id="charts">')
    expect(html).toContain('<section id="confusion">')
    const zh = await buildReport(t.wb, [c.id], { locale: 'zh-CN' })
    expect(zh).toContain('第 1 轮保存的权重已损坏，未包含在内。')
  })

  it('with every snapshot damaged, says so in place of the picture', async () => {
    for (const epoch of [0, 1, 2, 3]) await writeFile(snapshot(c, epoch), 'x')
    const html = await buildReport(t.wb, [a.id, c.id])
    const mosaics = /<section id="mosaics">([\s\S]*?)<\/section>/.exec(html)![1]!
    expect(mosaics).toContain('Not shown: every saved weight snapshot of this run is damaged.')
    // The other run's picture is there.
    expect(mosaics.match(/<img /g)).toHaveLength(1)
  })
})

describe('a damaged best checkpoint', () => {
  it('exports the best parameters kept with the last epoch checkpoint instead', async () => {
    const best = join(t.wb.store.runDir(a.id), 'checkpoints', 'best.safetensors')
    const before = decodeSafetensors(await readFile(best), best)
    await truncate(best, 64)
    const file = await exportCheckpoint(t.wb, a.id)
    const { tensors } = decodeSafetensors(file.bytes, 'export')
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(before.tensors).sort())
    expect(tensors['W1']!.data).toEqual(before.tensors['W1']!.data)
  })
})
