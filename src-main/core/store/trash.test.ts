import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ChangeFeed, KEEP_MS } from './changeFeed'
import { RunStore } from './runStore'
import { makeRecord, makeTempDir } from './testing'
import { RunTrash } from './trash'

let tmp: { dir: string; cleanup: () => Promise<void> }
let store: RunStore
let trash: RunTrash

beforeEach(async () => {
  tmp = await makeTempDir()
  store = new RunStore(tmp.dir)
  trash = new RunTrash(tmp.dir, store)
})
afterEach(() => tmp.cleanup())

describe('RunTrash', () => {
  it('moves the folder whole, metrics, checkpoints and edits included, and back', async () => {
    const r = await store.create(makeRecord({ status: 'completed' }))
    await writeFile(
      join(store.runDir(r.id), 'metrics.jsonl'),
      '{"type":"iteration","iteration":1,"loss":2}\n',
    )
    await store.writeMeta(r.id, {
      version: 1,
      name: 'edited',
      tags: [],
      notes: 'n',
      archived: true,
      updatedAt: 'x',
    })
    await trash.put(r.id, { trashedAt: '2026-01-01T00:00:00.000Z', sweepId: null, status: 'completed' })
    expect(await store.list()).toEqual([])
    expect((await readdir(join(tmp.dir, 'trash', r.id))).sort()).toEqual(
      ['meta.json', 'metrics.jsonl', 'run.json', 'trashed.json'].sort(),
    )
    const [entry] = await trash.list()
    expect(entry).toMatchObject({ trashedAt: '2026-01-01T00:00:00.000Z', run: { id: r.id, archived: true } })
    await trash.restore(r.id)
    expect((await store.get(r.id)).config.name).toBe('edited')
    expect(await readFile(join(store.runDir(r.id), 'metrics.jsonl'), 'utf8')).toContain('"loss":2')
    expect(existsSync(join(store.runDir(r.id), 'trashed.json'))).toBe(false)
  })

  it('refuses a run its metrics log is open for, and unknown ids', async () => {
    const r = await store.create(makeRecord())
    const log = store.metricsLog(r.id)
    await expect(trash.put(r.id, { trashedAt: 't', sweepId: null, status: 'running' })).rejects.toMatchObject(
      {
        code: 'busy',
      },
    )
    await log.close()
    await expect(
      trash.put('20200101-000000-zzzzzz', { trashedAt: 't', sweepId: null, status: 'x' }),
    ).rejects.toMatchObject({ code: 'not-found' })
    await expect(trash.restore('20200101-000000-zzzzzz')).rejects.toMatchObject({ code: 'not-found' })
    await expect(trash.put('../x', { trashedAt: 't', sweepId: null, status: 'x' })).rejects.toMatchObject({
      code: 'invalid-argument',
    })
  })

  it('a note lost to a crash: the folder time stands in; leftovers of a cut-short purge go at open', async () => {
    const r = await store.create(makeRecord())
    await trash.put(r.id, { trashedAt: 't', sweepId: null, status: 'queued' })
    await writeFile(join(trash.store.runDir(r.id), 'trashed.json'), 'garbage')
    const [entry] = await trash.list()
    expect(entry!.trashedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(entry!.sweepId).toBeNull()
    await mkdir(join(tmp.dir, 'trash', `.purge-${r.id}-abcd1234`, 'checkpoints'), { recursive: true })
    await trash.removeLeftovers()
    expect((await readdir(join(tmp.dir, 'trash'))).sort()).toEqual([r.id])
    expect(await trash.ids()).toEqual([r.id])
  })
})

describe('RunStore edits (meta.json)', () => {
  it('a damaged meta.json is reported and read as none; the run stays readable', async () => {
    const problems: string[] = []
    const s = new RunStore(tmp.dir, { onProblem: (p) => problems.push(p.message) })
    const r = await s.create(makeRecord())
    await writeFile(join(s.runDir(r.id), 'meta.json'), '{"version":1,"name":""}')
    expect((await s.get(r.id)).config.name).toBe(r.config.name)
    expect(problems[0]).toMatch(/not a valid edit record .*; its edits are ignored/)
    await writeFile(join(s.runDir(r.id), 'meta.json'), 'nope')
    expect((await s.listEntries()).map((e) => e.status)).toEqual(['queued'])
    expect(problems[1]).toMatch(/not valid JSON/)
  })

  it('an edit of a run that is gone never makes its folder again', async () => {
    await expect(
      store.writeMeta('20200101-000000-zzzzzz', {
        version: 1,
        name: 'x',
        tags: [],
        notes: '',
        archived: false,
        updatedAt: 't',
      }),
    ).rejects.toMatchObject({ code: 'not-found' })
    expect(existsSync(store.runDir('20200101-000000-zzzzzz'))).toBe(false)
  })
})

describe('ChangeFeed', () => {
  it("hears other writers' notes once, never its own, and skips damaged ones", async () => {
    const a = new ChangeFeed(tmp.dir, '0123456789abcdef')
    const b = new ChangeFeed(tmp.dir, 'fedcba9876543210')
    await a.announce({ kind: 'edit', ids: ['20261126-194501-ab12cd'] })
    await b.start()
    expect(await b.poll()).toEqual([])
    await a.announce({ kind: 'trash', ids: ['20261126-194501-ab12cd', '20261126-194502-ab12cd'] })
    await writeFile(
      join(a.dir, `${String(Date.now()).padStart(15, '0')}-0123456789abcdef-00000000.json`),
      '{',
    )
    await b.announce({ kind: 'restore', ids: ['20261126-194501-ab12cd'] })
    expect(await b.poll()).toEqual([
      { kind: 'trash', ids: ['20261126-194501-ab12cd', '20261126-194502-ab12cd'] },
    ])
    expect(await b.poll()).toEqual([])
    expect(await a.poll()).toEqual([{ kind: 'restore', ids: ['20261126-194501-ab12cd'] }])
  })

  it('deletes notes older than it keeps them', async () => {
    const old = `${String(Date.now() - KEEP_MS - 1000).padStart(15, '0')}-0123456789abcdef-00000000.json`
    await mkdir(join(tmp.dir, 'changes'), { recursive: true })
    await writeFile(join(tmp.dir, 'changes', old), '{"kind":"edit","ids":[]}')
    const feed = new ChangeFeed(tmp.dir, 'fedcba9876543210')
    await feed.poll()
    expect(await readdir(join(tmp.dir, 'changes'))).toEqual([])
  })
})
