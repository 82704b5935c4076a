import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/runs'
import { newRunId } from './store/ids'
import { makeRecord, makeTempDir } from './store/testing'
import { Workbench, type WorkbenchEvent } from './workbench'

let tmp: { dir: string; cleanup: () => Promise<void> }
let wb: Workbench | null = null

beforeEach(async () => {
  tmp = await makeTempDir('wb-folder-changes-')
})
afterEach(async () => {
  await wb?.close()
  wb = null
  await tmp.cleanup()
})

async function put(r: RunRecord): Promise<void> {
  await mkdir(join(tmp.dir, 'runs', r.id), { recursive: true })
  await writeFile(join(tmp.dir, 'runs', r.id, 'run.json'), `${JSON.stringify(r, null, 2)}\n`)
}

const run = (second: number, overrides: Partial<RunRecord> = {}) =>
  makeRecord({
    id: newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, second))),
    status: 'completed',
    ...overrides,
  })

describe('run folders changed with no note in the change feed', () => {
  it('reach subscribers as run and runRemoved events: edited by hand, removed, copied in', async () => {
    const [edited, removed, kept] = [run(1), run(2), run(3)]
    for (const r of [edited, removed, kept]) await put(r)
    wb = await Workbench.open({ dataDir: tmp.dir, pollIntervalMs: 20, onProblem: () => {} })
    await wb.listRuns()
    const events: WorkbenchEvent[] = []
    wb.subscribe((e) => events.push(e))

    // By hand, in place: a person fixes a run's name in an editor.
    const file = join(tmp.dir, 'runs', edited.id, 'run.json')
    await writeFile(file, (await readFile(file, 'utf8')).replace('"test run"', '"fixed by hand"'))
    const later = new Date(Date.now() + 5000)
    await utimes(file, later, later)
    await rm(join(tmp.dir, 'runs', removed.id), { recursive: true })
    const copied = run(4)
    await put(copied)

    const seen = () => ({
      edited: events.some(
        (e) => e.type === 'run' && e.run.id === edited.id && e.run.config.name === 'fixed by hand',
      ),
      removed: events.some((e) => e.type === 'runRemoved' && e.id === removed.id),
      copied: events.some((e) => e.type === 'run' && e.run.id === copied.id),
    })
    const deadline = Date.now() + 20_000
    while (Object.values(seen()).includes(false) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(seen()).toEqual({ edited: true, removed: true, copied: true })
    // The run nobody touched is not announced.
    expect(
      events.some((e) => (e.type === 'run' ? e.run.id : e.type === 'runRemoved' ? e.id : '') === kept.id),
    ).toBe(false)
  }, 30_000)
})
