import { spawn } from 'node:child_process'
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isCorrupt, type RunListEntry } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import type { StoreProblem } from './errors'
import { newRunId } from './ids'
import { INDEX_SCHEMA_VERSION, RUN_INDEX_FILE, loadSqlite, type DatabaseConstructor } from './runIndexDb'
import { RACY_MS } from './runIndex'
import { RunStore } from './runStore'
import { makeRecord, makeTempDir } from './testing'

const sqlite = loadSqlite()
if (!sqlite.ok) {
  console.warn(
    `runIndex.test: better-sqlite3 cannot be loaded (${sqlite.reason}): the tests of the index file are skipped`,
  )
}
const withSqlite = describe.skipIf(!sqlite.ok)

/** An hour ahead: no file is "just written", so the racy rule re-reads nothing and caching shows. */
const later = () => Date.now() + 3_600_000

let tmp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
let runsDir: string
let indexFile: string
let problems: StoreProblem[]
/** One reporter for every store of a test, as one workbench has one. */
let report: (p: StoreProblem) => void
const opened: RunStore[] = []

beforeEach(async () => {
  tmp = await makeTempDir('wb-index-')
  dataDir = tmp.dir
  runsDir = join(dataDir, 'runs')
  indexFile = join(dataDir, RUN_INDEX_FILE)
  problems = []
  report = (p) => problems.push(p)
  await mkdir(runsDir, { recursive: true })
})

afterEach(async () => {
  for (const s of opened.splice(0)) s.close()
  await tmp.cleanup()
})

function indexed(options: { now?: () => number; file?: string | null; loadSqlite?: typeof loadSqlite } = {}) {
  const store = new RunStore(dataDir, {
    onProblem: report,
    index: {
      file: options.file === undefined ? indexFile : options.file,
      now: options.now ?? later,
      ...(options.loadSqlite ? { loadSqlite: options.loadSqlite } : {}),
    },
  })
  opened.push(store)
  return store
}

const scanner = () => new RunStore(dataDir, { onProblem: () => {} })

/** A small PRNG, seeded so that a failure can be replayed (the seed is in the failure's message). */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let clockStep = 0
/** A hand edit made "later": its mtime differs from the last one's even within one timestamp tick. */
async function touchLater(file: string): Promise<void> {
  const t = new Date(Date.UTC(2026, 0, 1) + ++clockStep * 1000)
  await utimes(file, t, t)
}

function record(i: number, overrides: Partial<RunRecord> = {}): RunRecord {
  const at = Date.UTC(2026, 0, 1) + i * 1000
  return makeRecord({
    id: newRunId(new Date(at)),
    createdAt: new Date(at).toISOString(),
    status: 'completed',
    ...overrides,
  })
}

const runJson = (id: string) => join(runsDir, id, 'run.json')
const metaJson = (id: string) => join(runsDir, id, 'meta.json')
const meta = (name: string, archived = false) => ({
  version: 1,
  name,
  tags: ['t'],
  notes: 'n',
  archived,
  updatedAt: '2026-01-01T00:00:00.000Z',
})

async function putRun(r: RunRecord | string, id?: string): Promise<string> {
  const runId = typeof r === 'string' ? id! : r.id
  await mkdir(join(runsDir, runId), { recursive: true })
  await writeFile(runJson(runId), typeof r === 'string' ? r : `${JSON.stringify(r, null, 2)}\n`)
  return runId
}

/** Every kind of folder the scan meets, each several times. */
async function randomStore(rand: () => number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = record(i, { config: { ...makeRecord().config, name: `run ${i}` } })
    const kind = rand()
    if (kind < 0.55) {
      await putRun(r)
    } else if (kind < 0.7) {
      await putRun(r)
      await writeFile(metaJson(r.id), JSON.stringify(meta(`renamed ${i}`, rand() < 0.5)))
    } else if (kind < 0.75) {
      await putRun(r)
      await writeFile(metaJson(r.id), '{"version": 1, "name": ') // damaged: ignored, the record shows
    } else if (kind < 0.8) {
      await putRun('{"id": "' + r.id + '", "config": {"name": "cut off"', r.id) // not JSON
    } else if (kind < 0.84) {
      await putRun(JSON.stringify({ ...r, id: newRunId() }), r.id) // another run's id
    } else if (kind < 0.88) {
      await putRun(JSON.stringify({ ...r, status: 'sleeping' }), r.id) // fails the schema
    } else if (kind < 0.91) {
      await putRun('[1, 2, 3]', r.id)
    } else if (kind < 0.94) {
      await mkdir(join(runsDir, r.id, 'checkpoints'), { recursive: true }) // files, no run.json
      await writeFile(join(runsDir, r.id, 'metrics.jsonl'), '')
    } else if (kind < 0.96) {
      await mkdir(join(runsDir, r.id)) // being created: not listed
    } else if (kind < 0.98) {
      await writeFile(join(runsDir, r.id), 'a file named like a run') // not a folder
    } else {
      await mkdir(join(runsDir, `.trash-${r.id}-0000`), { recursive: true }) // not a run id
    }
  }
}

/** One change as another process or a person makes it, to a random run folder. */
async function mutate(rand: () => number): Promise<string> {
  const names = (await readdir(runsDir)).filter((n) => /^\d{8}-\d{6}-[0-9a-z]{6}$/.test(n)).sort()
  const id = names[Math.floor(rand() * names.length)]!
  const kind = Math.floor(rand() * 10)
  const current = await readFile(runJson(id), 'utf8').catch(() => null)
  switch (kind) {
    case 0: {
      // Rewritten atomically, as the store does.
      const r = { ...record(names.indexOf(id), { status: 'failed' }), id, checkpointEpoch: 3 }
      const tmpFile = join(runsDir, id, '.run.json.tmp')
      try {
        await writeFile(tmpFile, `${JSON.stringify(r, null, 2)}\n`)
        await rename(tmpFile, runJson(id))
      } catch {
        return `skip ${id}`
      }
      return `replace ${id}`
    }
    case 1: {
      // Edited in place by hand, same size: one digit of the confusion-free record changed.
      if (current === null) return `skip ${id}`
      const edited = current.includes('"checkpointEpoch": 0')
        ? current.replace('"checkpointEpoch": 0', '"checkpointEpoch": 7')
        : current.replace(/"seed": (\d)/, (_, d: string) => `"seed": ${(Number(d) + 1) % 10}`)
      await writeFile(runJson(id), edited)
      await touchLater(runJson(id))
      return `edit ${id} in place`
    }
    case 2:
      await writeFile(metaJson(id), JSON.stringify(meta(`edited ${clockStep}`))).catch(() => undefined)
      await touchLater(metaJson(id)).catch(() => undefined)
      return `meta ${id}`
    case 3:
      await rm(metaJson(id), { force: true }).catch(() => undefined)
      return `unmeta ${id}`
    case 4:
      await rm(join(runsDir, id), { recursive: true, force: true })
      return `remove ${id}`
    case 5: {
      const r = record(10_000 + clockStep++)
      await putRun(r)
      return `add ${r.id}`
    }
    case 6:
      if (current === null) return `skip ${id}`
      await writeFile(runJson(id), current.slice(0, Math.floor(current.length / 2)))
      await touchLater(runJson(id))
      return `truncate ${id}`
    case 7:
      await rm(runJson(id), { force: true }).catch(() => undefined)
      await writeFile(join(runsDir, id, 'metrics.jsonl'), '').catch(() => undefined)
      return `unrun ${id}`
    case 8:
      await writeFile(metaJson(id), 'not json').catch(() => undefined)
      await touchLater(metaJson(id)).catch(() => undefined)
      return `damage meta ${id}`
    default: {
      // A damaged record mended: a valid one written in place.
      const r = record(names.indexOf(id))
      await putRun({ ...r, id }, id).catch(() => undefined)
      await touchLater(runJson(id)).catch(() => undefined)
      return `mend ${id}`
    }
  }
}

describe('the run index lists what the folder scan lists', () => {
  it('on a randomized store with damaged and hand-edited runs, through rounds of changes', async () => {
    const seed = Number(process.env['INDEX_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
    const rand = random(seed)
    await randomStore(rand, 160)
    const store = indexed({ file: sqlite.ok ? indexFile : null })
    const first = await store.listEntries()
    const scanned = await scanner().scanEntries()
    expect(first, `seed ${seed}`).toStrictEqual(scanned)
    expect(scanned.some(isCorrupt), `seed ${seed}: the store has damaged runs`).toBe(true)
    for (let round = 0; round < 12; round++) {
      const done: string[] = []
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) done.push(await mutate(rand))
      const again = await store.listEntries()
      expect(again, `seed ${seed}, round ${round}: ${done.join('; ')}`).toStrictEqual(
        await scanner().scanEntries(),
      )
      // A new process opening the index file lists the same.
      if (sqlite.ok && round % 4 === 3) {
        expect(await indexed().listEntries(), `seed ${seed}, round ${round}, reopened`).toStrictEqual(again)
      }
    }
  })

  it('reads only the runs that changed; the others come from the index', async () => {
    const ids: string[] = []
    for (let i = 0; i < 30; i++) ids.push(await putRun(record(i)))
    const store = indexed({ file: null })
    await store.listEntries()
    expect(store.index!.lastPass).toEqual({ listed: 30, read: 30 })
    await store.listEntries()
    expect(store.index!.lastPass).toEqual({ listed: 30, read: 0 })
    const other = scanner()
    await other.update(ids[3]!, (r) => ({ ...r, status: 'failed' }))
    await other.writeMeta(ids[7]!, { ...meta('renamed'), version: 1 })
    await rm(join(runsDir, ids[9]!), { recursive: true })
    const added = await putRun(record(99))
    const listed = await store.listEntries()
    expect(store.index!.lastPass).toEqual({ listed: 30, read: 3 })
    expect(listed).toStrictEqual(await scanner().scanEntries())
    expect(listed.find((e) => e.id === ids[3])?.status).toBe('failed')
    expect((listed.find((e) => e.id === ids[7]) as RunRecord).config.name).toBe('renamed')
    expect(listed.map((e) => e.id)).toContain(added)
    expect(listed.map((e) => e.id)).not.toContain(ids[9])
  })

  it('reads a run again while its files are younger than RACY_MS, when a rewrite could keep their fingerprint', async () => {
    const id = await putRun(record(1))
    let clock = Date.now()
    const store = indexed({ file: null, now: () => clock })
    await store.listEntries()
    await store.listEntries()
    expect(store.index!.lastPass.read).toBe(1)
    // Same size, same inode: on a filesystem with coarse timestamps nothing else would tell.
    const text = await readFile(runJson(id), 'utf8')
    await writeFile(runJson(id), text.replace('"completed"', '"cancelled"'))
    expect(((await store.listEntries())[0] as RunRecord).status).toBe('cancelled')
    clock += RACY_MS + 1000
    await store.listEntries()
    expect(store.index!.lastPass.read).toBe(1)
    await store.listEntries()
    expect(store.index!.lastPass.read).toBe(0)
    expect(await store.listEntries()).toStrictEqual(await scanner().scanEntries())
  })

  it('hands out frozen entries: a caller cannot change what the next listing returns', async () => {
    await putRun(record(1))
    const store = indexed({ file: null })
    const [entry] = (await store.listEntries()) as RunRecord[]
    expect(() => {
      ;(entry!.config as { name: string }).name = 'changed'
    }).toThrow(TypeError)
    expect(((await store.listEntries())[0] as RunRecord).config.name).toBe('test run')
  })
})

withSqlite('the index file', () => {
  it('is kept between processes: a new one reads only what changed meanwhile', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push(await putRun(record(i)))
    await putRun('{broken', newRunId(new Date(Date.UTC(2026, 0, 2))))
    const a = indexed()
    const first = await a.listEntries()
    a.close()
    await scanner().update(ids[5]!, (r) => ({ ...r, status: 'cancelled' }))
    const b = indexed()
    const listed = await b.listEntries()
    expect(b.index!.lastPass).toEqual({ listed: 21, read: 1 })
    expect(listed).toStrictEqual(await scanner().scanEntries())
    expect(listed.filter(isCorrupt)).toStrictEqual(first.filter(isCorrupt))
    expect(problems).toEqual([])
  })

  it('a damaged file is rebuilt from the folders, said once', async () => {
    for (let i = 0; i < 5; i++) await putRun(record(i))
    await mkdir(join(dataDir, 'index'), { recursive: true })
    await writeFile(indexFile, 'this is not a database, just some bytes '.repeat(200))
    const store = indexed()
    expect(await store.listEntries()).toStrictEqual(await scanner().scanEntries())
    await store.listEntries()
    expect(problems.map((p) => p.message)).toEqual([
      'the run index is damaged; it is rebuilt from the run folders',
    ])
    expect(problems[0]!.file).toBe(indexFile)
    const next = indexed()
    await next.listEntries()
    expect(next.index!.lastPass.read).toBe(0)
    expect(problems).toHaveLength(1)
  })

  it('rows that disagree with the folders, or hold unreadable JSON, are read again', async () => {
    const ids = [await putRun(record(1)), await putRun(record(2))]
    const store = indexed()
    await store.listEntries()
    store.close()
    const db = new (sqlite as { Database: DatabaseConstructor }).Database(indexFile)
    db.prepare('UPDATE runs SET entry = ? WHERE id = ?').run('{not json', ids[0])
    db.prepare('UPDATE runs SET fp = ? WHERE id = ?').run('0:0:0:0|-', ids[1])
    db.close()
    const next = indexed()
    expect(await next.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(next.index!.lastPass.read).toBe(2)
  })

  it('an index of an older layout is rebuilt; one of a newer version is left alone', async () => {
    await putRun(record(1))
    await mkdir(join(dataDir, 'index'), { recursive: true })
    const { Database } = sqlite as { Database: DatabaseConstructor }
    const old = new Database(indexFile)
    old.exec('CREATE TABLE runs (id TEXT PRIMARY KEY, json TEXT)')
    old.prepare('INSERT INTO runs VALUES (?, ?)').run('20260101-000001-aaaaaa', '{"stale": true}')
    old.pragma(`user_version = ${INDEX_SCHEMA_VERSION - 1}`)
    old.close()
    const store = indexed()
    expect(await store.listEntries()).toStrictEqual(await scanner().scanEntries())
    store.close()
    const upgraded = new Database(indexFile)
    expect(upgraded.pragma('user_version', { simple: true })).toBe(INDEX_SCHEMA_VERSION)
    expect((upgraded.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(1)
    upgraded.pragma(`user_version = ${INDEX_SCHEMA_VERSION + 1}`)
    upgraded.close()
    expect(problems).toEqual([])

    const newer = indexed()
    expect(await newer.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(problems.map((p) => p.message)).toEqual([
      `the run index was written by a newer version (layout ${INDEX_SCHEMA_VERSION + 1}); it is left as it is and runs are listed from their folders`,
    ])
    const after = new Database(indexFile)
    expect(after.pragma('user_version', { simple: true })).toBe(INDEX_SCHEMA_VERSION + 1)
    after.close()
  })

  it('in a folder that cannot be written, an index there is still read, and nothing is said', async () => {
    for (let i = 0; i < 5; i++) await putRun(record(i))
    const { Database } = sqlite as { Database: DatabaseConstructor }
    // As on a read-only mount: opening for writing fails the way SQLite fails there.
    const readOnly: typeof loadSqlite = () => ({
      ok: true,
      Database: class extends (Database as unknown as new (...a: unknown[]) => object) {
        constructor(file: string, options?: { readonly?: boolean }) {
          if (!options?.readonly) {
            throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' })
          }
          super(file, options)
        }
      } as unknown as DatabaseConstructor,
    })
    const none = indexed({ loadSqlite: readOnly })
    expect(await none.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(none.index!.lastPass.read).toBe(5)
    const writer = indexed()
    await writer.listEntries()
    writer.close()
    const reader = indexed({ loadSqlite: readOnly })
    expect(await reader.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(reader.index!.lastPass.read).toBe(0)
    await scanner().update((await scanner().list())[1]!.id, (r) => ({ ...r, status: 'failed' }))
    expect(await reader.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(reader.index!.lastPass.read).toBe(1)
    expect(problems).toEqual([])
  })

  it('two processes list and edit the same data folder at once', async () => {
    const ids: string[] = []
    for (let i = 0; i < 12; i++) ids.push(await putRun(record(i)))
    const store = indexed({ now: Date.now })
    await store.listEntries()
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'runIndex.child.ts'), dataDir, '40', ...ids.slice(0, 6)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    let running = true
    void exited.then(() => (running = false))
    let rounds = 0
    const editor = scanner()
    while (running || rounds < 5) {
      const id = ids[6 + (rounds % 6)]!
      await editor.update(id, (r) => ({ ...r, checkpointEpoch: r.checkpointEpoch + 1 }))
      await store.listEntries()
      rounds++
    }
    expect(await exited, out).toBe(0)
    expect(out).toContain('done')
    expect(await store.listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(await indexed().listEntries()).toStrictEqual(await scanner().scanEntries())
    expect(problems).toEqual([])
  }, 60_000)
})

describe('without better-sqlite3', () => {
  const broken: typeof loadSqlite = () => ({
    ok: false,
    reason: 'was compiled against a different Node.js version (NODE_MODULE_VERSION 115)',
  })

  it('lists from the folders and memory, and says so once', async () => {
    for (let i = 0; i < 4; i++) await putRun(record(i))
    const store = indexed({ loadSqlite: broken })
    expect(await store.listEntries()).toStrictEqual(await scanner().scanEntries())
    await store.listEntries()
    expect(store.index!.lastPass.read).toBe(0)
    const another = indexed({ loadSqlite: broken })
    await another.listEntries()
    expect(problems).toHaveLength(1)
    expect(problems[0]!.message).toMatch(
      /^the run index is not kept \(better-sqlite3 cannot be loaded: was compiled against a different Node\.js version/,
    )
    await expect(stat(indexFile)).rejects.toThrow()
  })
})

describe('RunStore.list through the index', () => {
  it('is the readable runs of listEntries', async () => {
    await putRun(record(1))
    await putRun('nope', newRunId(new Date(Date.UTC(2026, 0, 3))))
    const store = indexed({ file: null })
    const entries: RunListEntry[] = await store.listEntries()
    expect(await store.list()).toStrictEqual(entries.filter((e) => !isCorrupt(e)))
    expect(await store.list()).toHaveLength(1)
  })
})
