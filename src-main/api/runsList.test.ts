import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isCorrupt, type RunListEntry } from '../../src-shared/corruptRun'
import type { RunRecord } from '../../src-shared/runs'
import { newRunId } from '../core/store/ids'
import { RunStore } from '../core/store/runStore'
import { makeRecord, makeTempDir } from '../core/store/testing'
import { Workbench } from '../core/workbench'
import { resultFrameJson } from './frameJson'
import { createHandlers, type Handlers } from './handlers'

let tmp: { dir: string; cleanup: () => Promise<void> }
let wb: Workbench
let handlers: Handlers

beforeEach(async () => {
  tmp = await makeTempDir('wb-runs-list-')
  const runs = join(tmp.dir, 'runs')
  for (let i = 0; i < 6; i++) {
    const r = makeRecord({ id: newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, i))), status: 'completed' })
    await mkdir(join(runs, r.id), { recursive: true })
    await writeFile(join(runs, r.id, 'run.json'), JSON.stringify(r))
  }
  const damaged = newRunId(new Date(Date.UTC(2026, 0, 2)))
  await mkdir(join(runs, damaged))
  await writeFile(join(runs, damaged, 'run.json'), '{"id":')
  wb = await Workbench.open({ dataDir: tmp.dir, readOnly: true, onProblem: () => {} })
  handlers = createHandlers(wb, {
    mode: 'browser',
    dataDir: tmp.dir,
    examplesDir: resolve(__dirname, '../../examples'),
  })
})

afterEach(async () => {
  await wb.close()
  await tmp.cleanup()
})

/** What runs.list answered before the index: the scan, each readable run with `archived`. */
async function scanned(): Promise<RunListEntry[]> {
  const entries = await new RunStore(tmp.dir, { onProblem: () => {} }).scanEntries()
  return entries.map((r) => (isCorrupt(r) ? r : { ...r, archived: r.archived ?? false }))
}

describe('runs.list', () => {
  it('answers what the folder scan lists, damaged runs included, and the same JSON each time', async () => {
    const first = await handlers['runs.list']()
    expect(first).toStrictEqual(await scanned())
    expect(first.filter(isCorrupt)).toHaveLength(1)
    const again = await handlers['runs.list']()
    expect(resultFrameJson(1, again)).toBe(JSON.stringify({ id: 1, result: await scanned() }))
  })

  it('shows a run another process changed, in the frame JSON too', async () => {
    const before = (await handlers['runs.list']()) as RunRecord[]
    const id = before[2]!.id
    resultFrameJson(1, before)
    const other = new RunStore(tmp.dir)
    await other.update(id, (r) => ({ ...r, status: 'failed' }))
    await other.writeMeta(id, {
      version: 1,
      name: 'renamed',
      tags: ['x'],
      notes: '',
      archived: true,
      updatedAt: new Date().toISOString(),
    })
    const after = await handlers['runs.list']()
    const shown = after.find((r) => r.id === id) as RunRecord
    expect(shown.status).toBe('failed')
    expect(shown.archived).toBe(true)
    expect(shown.config.name).toBe('renamed')
    expect(resultFrameJson(2, after)).toBe(JSON.stringify({ id: 2, result: await scanned() }))
  })
})
