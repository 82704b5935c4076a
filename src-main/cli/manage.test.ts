import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BulkFailure } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/runs'
import type { EditedSummary } from './manage'
import type { RunSummary } from './summary'
import { cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string
const UNKNOWN = '20200101-000000-zzzzzz'

/** A completed run of its own for a test. */
async function newRun(name: string): Promise<string> {
  const r = await cli([
    'run',
    await tmp.file(`${name}.json`, tinyConfig({ name })),
    '--json',
    '--data-dir',
    dataDir,
  ])
  expect(r.code).toBe(0)
  return r.json<RunSummary>().id
}

const run = (args: string[], stdin?: string) =>
  cli([...args, '--data-dir', dataDir], stdin === undefined ? {} : { stdin })

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = join(tmp.path, 'data')
})
afterAll(() => tmp.remove())

describe('usage', () => {
  it('--help lists every run management command; tag takes -name as a tag, not an option', async () => {
    const r = await cli(['--help'])
    for (const c of ['rm', 'restore', 'trash', 'purge', 'rename', 'tag', 'note', 'archive', 'unarchive']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
    }
    expect((await cli(['tag', '--help'])).stdout).toContain('+name adds, -name removes')
    expect((await cli(['rename', UNKNOWN])).stderr).toMatch(/missing required argument 'name'/)
  })
})

describe('rm, restore, trash, purge', () => {
  it('rm moves runs to the trash, restore brings them back, purge deletes them: --json shapes', async () => {
    const a = await newRun('rm-a')
    const b = await newRun('rm-b')
    const rm = await run(['rm', a, b, '--json'])
    expect(rm.code).toBe(0)
    expect(rm.json()).toEqual({ trashed: [a, b], failed: [] })
    expect(rm.stderr).toBe('')
    expect(existsSync(join(dataDir, 'trash', a, 'run.json'))).toBe(true)
    const ls = await run(['ls', '--json', '--all'])
    expect(ls.json<RunSummary[]>().map((r) => r.id)).not.toContain(a)

    const trash = await run(['trash', '--json'])
    const listed = trash.json<(RunSummary & { trashedAt: string })[]>()
    expect(listed.map((r) => r.id).sort()).toEqual([a, b].sort())
    expect(listed[0]).toMatchObject({
      status: 'completed',
      sweepId: null,
      folder: expect.stringContaining('trash'),
    })
    expect(listed[0]!.trashedAt).toMatch(/^\d{4}-\d\d-\d\dT/)

    const restore = await run(['restore', a, '--json'])
    expect(restore.code).toBe(0)
    const restored = restore.json<{ restored: RunSummary[]; failed: BulkFailure[] }>()
    expect(restored.failed).toEqual([])
    expect(restored.restored[0]).toMatchObject({ id: a, name: 'rm-a', status: 'completed', archived: false })

    const purge = await run(['purge', b, '--json'])
    expect(purge.json()).toEqual({ purged: [b], failed: [] })
    expect(existsSync(join(dataDir, 'trash', b))).toBe(false)
    expect((await run(['trash', '--json'])).json()).toEqual([])
  }, 60_000)

  it('says what it did in plain text; trash --empty deletes everything in it', async () => {
    const a = await newRun('plain')
    const rm = await run(['rm', a])
    expect(rm.stdout).toBe(`Moved ${a} to the trash (workbench restore ${a} brings it back)\n`)
    const trash = await run(['trash'])
    expect(trash.stdout).toMatch(
      new RegExp(`^id\\s+name\\s+status\\s+sweep\\s+deleted\\n${a}\\s+plain\\s+completed\\s+-\\s+\\d{4}-`),
    )
    const empty = await run(['trash', '--empty'])
    expect(empty.stdout).toBe('Deleted 1 run for good\n')
    expect((await run(['trash'])).stdout).toBe('The trash is empty\n')
  }, 60_000)

  it('unknown ids exit 2, the others are still done; a malformed id refuses the whole command', async () => {
    const a = await newRun('mixed')
    const r = await run(['rm', a, UNKNOWN])
    expect(r.code).toBe(2)
    expect(r.stdout).toContain(`Moved ${a} to the trash`)
    expect(r.stderr).toBe(`error: no run with id ${UNKNOWN}\n`)
    const json = await run(['restore', UNKNOWN, a, '--json'])
    expect(json.code).toBe(2)
    const body = json.json<{ restored: RunSummary[]; failed: BulkFailure[] }>()
    expect(body.restored.map((x) => x.id)).toEqual([a])
    expect(body.failed).toEqual([
      { id: UNKNOWN, code: 'not-found', message: `no run with id ${UNKNOWN} in the trash` },
    ])
    expect((await run(['purge', UNKNOWN])).code).toBe(2)

    const bad = await run(['rm', a, '../etc', '--json'])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stderr)).toMatchObject({
      error: {
        code: 'invalid-argument',
        fields: [{ path: 'ids[1]', message: expect.stringContaining('not a run id') }],
      },
    })
    expect((await run(['ls', '--json'])).json<RunSummary[]>().map((x) => x.id)).toContain(a)
    expect((await run(['rm'])).code).toBe(2)
  }, 60_000)
})

describe('rename, tag, note, archive', () => {
  let id: string
  beforeAll(async () => {
    id = await newRun('to edit')
  }, 60_000)

  it('rename: --json gives the updated summary; ls and show use the new name', async () => {
    const r = await run(['rename', id, 'lr 1e-3 baseline', '--json'])
    expect(r.code).toBe(0)
    const { updated, failed } = r.json<{ updated: EditedSummary[]; failed: BulkFailure[] }>()
    expect(failed).toEqual([])
    expect(updated).toEqual([
      expect.objectContaining({ id, name: 'lr 1e-3 baseline', tags: [], notes: '', archived: false }),
    ])
    expect((await run(['show', id, '--json'])).json<RunRecord>().config.name).toBe('lr 1e-3 baseline')
    expect((await run(['rename', id, 'again'])).stdout).toBe(`Renamed ${id} to "again"\n`)
  })

  it('a bad name or an unknown id exits 2, naming the field', async () => {
    const empty = await run(['rename', id, '  ', '--json'])
    expect(empty.code).toBe(2)
    expect(JSON.parse(empty.stderr).error).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'edit.name', message: 'a name is required' }],
    })
    const unknown = await run(['rename', UNKNOWN, 'x'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe(`error: no run with id ${UNKNOWN}\n`)
  })

  it('tag +a -b (a bare word adds); an empty tag is a usage error', async () => {
    const add = await run(['tag', id, '+baseline', 'fashion', '--json'])
    expect(add.json<{ updated: EditedSummary[] }>().updated[0]!.tags).toEqual(['baseline', 'fashion'])
    const swap = await run(['tag', id, '-fashion', '+best'])
    expect(swap.code).toBe(0)
    expect(swap.stdout).toBe(`Tags of ${id}: baseline, best\n`)
    const bad = await run(['tag', id, '+'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('tags: "+" names no tag')
  })

  it('note: text, or multi-line notes from stdin with -; an empty text clears them', async () => {
    const text = await run(['note', id, 'first try', '--json'])
    expect(text.json<{ updated: EditedSummary[] }>().updated[0]!.notes).toBe('first try')
    const piped = await run(['note', id, '-', '--json'], 'lr too high?\nloss flat after epoch 3\n')
    expect(piped.json<{ updated: EditedSummary[] }>().updated[0]!.notes).toBe(
      'lr too high?\nloss flat after epoch 3',
    )
    expect((await run(['show', id])).stdout).toContain('loss flat after epoch 3')
    expect((await run(['note', id, ''])).stdout).toBe(`Cleared the notes of ${id}\n`)
  })

  it('archive hides runs from ls (ls --all shows them, with the flag); unarchive shows them again', async () => {
    const other = await newRun('archived one')
    const a = await run(['archive', other, '--json'])
    expect(a.json<{ updated: EditedSummary[] }>().updated[0]!.archived).toBe(true)
    const ls = await run(['ls'])
    expect(ls.stdout).not.toContain(other)
    expect(ls.stdout).toMatch(/\n1 archived run \(ls --all shows it\)\n$/)
    expect((await run(['ls', '--json'])).json<RunSummary[]>().map((r) => r.id)).not.toContain(other)
    const all = (await run(['ls', '--all', '--json'])).json<RunSummary[]>()
    expect(all.find((r) => r.id === other)).toMatchObject({ archived: true })
    expect(all.find((r) => r.id === id)).toMatchObject({ archived: false })
    const un = await run(['unarchive', other, UNKNOWN])
    expect(un.code).toBe(2)
    expect(un.stdout).toBe(`Unarchived ${other} "archived one"\n`)
    expect((await run(['ls', '--json'])).json<RunSummary[]>().map((r) => r.id)).toContain(other)
  }, 60_000)
})

describe('a run another live process trains', () => {
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  })

  /** owner-child.ts `run`: queues one long run in its own process and trains it; resolves with its id. */
  function trainElsewhere(): Promise<{ id: string; proc: ChildProcess }> {
    const config = tinyConfig({
      name: 'elsewhere',
      dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
      model: { kind: 'fc', hiddenDims: [256, 256] },
      solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 50, numEpochs: 40 },
    })
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, '../core/testing/owner-child.ts'),
        'run',
        dataDir,
        JSON.stringify(config),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    children.push(proc)
    return new Promise((resolve, reject) => {
      let out = ''
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const line = out.split('\n')[0]
        if (out.includes('\n')) resolve({ id: (JSON.parse(line!) as { id: string }).id, proc })
      })
      proc.once('exit', (code) => reject(new Error(`child exited ${code}`)))
    })
  }

  it('rm is refused naming the process; edits go through and outlive its writes; rm --cancel stops it, then deletes it', async () => {
    const { id, proc } = await trainElsewhere()
    const until = async (check: () => Promise<boolean>): Promise<void> => {
      const end = Date.now() + 30_000
      while (!(await check())) {
        if (Date.now() > end) throw new Error('timed out')
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    await until(async () => (await run(['show', id, '--json'])).json<RunRecord>().status === 'running')

    const refused = await run(['rm', id])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error: run ${id} is being trained by another process \\(pid ${proc.pid} on .+\\); stop it there first`,
      ),
    )
    expect(refused.stderr).toContain('rm --cancel')
    const json = await run(['rm', id, '--json'])
    expect(json.json<{ failed: BulkFailure[] }>().failed).toEqual([
      { id, code: 'conflict', message: expect.stringContaining(`pid ${proc.pid}`) },
    ])

    expect((await run(['rename', id, 'renamed while it trains'])).code).toBe(0)
    expect((await run(['tag', id, '+live'])).code).toBe(0)
    // Its trainer rewrites run.json every epoch and every 2 s: the edit stays.
    const epoch = (await run(['show', id, '--json'])).json<RunRecord>().progress.epoch
    await until(async () => (await run(['show', id, '--json'])).json<RunRecord>().progress.epoch >= epoch + 2)
    const shown = (await run(['show', id, '--json'])).json<RunRecord>()
    expect(shown.status).toBe('running')
    expect(shown.config).toMatchObject({ name: 'renamed while it trains', tags: ['live'] })

    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    const rm = await run(['rm', id, '--cancel', '--json'])
    expect(rm.code).toBe(0)
    expect(rm.json()).toEqual({ trashed: [id], failed: [] })
    const trashed = (await run(['trash', '--json'])).json<RunSummary[]>().find((r) => r.id === id)
    expect(trashed).toMatchObject({ status: 'cancelled', name: 'renamed while it trains' })
    await exited
  }, 120_000)
})
