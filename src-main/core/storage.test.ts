/**
 * A data folder that cannot be written (full disk, read-only, removed) fails the run that met it, with a
 * reason a person understands; the process, its other runs and the folder's flushed files survive, and
 * the run resumes once the cause is fixed. Real conditions where this machine allows (a size-capped tmpfs,
 * a read-only remount: root with mount rights), injected errors everywhere.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { Notice } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/runs'
import { main } from '../cli/main'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-storage-'))
  dirs.push(d)
  return d
}

function config(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 1000, numValidation: 100, numTest: 200 },
    // ~1.3 MB of float32 parameters: every checkpoint and snapshot weighs something.
    model: { kind: 'fc', hiddenDims: [384, 64] },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 6 },
    seed: 3,
    ...over,
  }
}

async function openAt(dataDir: string): Promise<Workbench> {
  const wb = await Workbench.open({ dataDir, maxThreads: 1, progressIntervalMs: 20, checkpointIntervalMs: 0 })
  open.push(wb)
  return wb
}

function notices(wb: Workbench): Notice[] {
  const seen: Notice[] = []
  wb.subscribe((e) => {
    if (e.type === 'notice') seen.push(e.notice)
  })
  return seen
}

const enospc = (path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', path })

describe('injected write failures', () => {
  it('EACCES on the record mid-run fails the run as storage, naming the file and what to do', async () => {
    const dataDir = await tempDir()
    const wb = await openAt(dataDir)
    const original = wb.store.update.bind(wb.store)
    let calls = 0
    wb.store.update = async (id, change) => {
      const file = join(dataDir, 'runs', id, 'run.json')
      if (++calls === 4)
        throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), {
          code: 'EACCES',
          path: file,
        })
      return original(id, change)
    }
    const run = await wb.createRun(config('no permission'))
    await wb.whenIdle()
    const r = await wb.getRun(run.id)
    expect(r.status).toBe('failed')
    expect(r.error!.reason).toBe('storage')
    expect(r.error!.message).toBe(
      `cannot write to ${join(dataDir, 'runs', run.id, 'run.json')}: permission denied; fix the folder's permissions, then resume the run`,
    )
  })

  it('ENOSPC on a checkpoint fails that run as storage, keeps what was flushed, and it resumes later', async () => {
    const dataDir = await tempDir()
    const wb = await openAt(dataDir)
    const seen = notices(wb)
    const original = wb.store.writeCheckpoint.bind(wb.store)
    let writes = 0
    wb.store.writeCheckpoint = async (...args) => {
      // The first epoch's checkpoint goes through; the disk is full from the second on.
      if (args[1] === 'last' && ++writes >= 2) throw enospc(join(dataDir, 'runs', args[0], 'checkpoints'))
      return original(...args)
    }
    const run = await wb.createRun(config('full disk'))
    await wb.whenIdle()
    const failed = await wb.getRun(run.id)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ reason: 'storage' })
    expect(failed.error!.message).toBe(
      `the disk holding ${dataDir} is full: free some space, then resume the run`,
    )
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ kind: 'storage', code: 'disk-full', path: dataDir, runId: run.id })
    const stored = JSON.parse(await readFile(join(dataDir, 'runs', run.id, 'run.json'), 'utf8')) as RunRecord
    expect(stored.status).toBe('failed')
    expect(stored.checkpointEpoch).toBe(1)
    // Space freed: the run continues from epoch 1.
    wb.store.writeCheckpoint = original
    await wb.resume(run.id)
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
  })

  it('a final record the disk refuses is kept in memory, shown, and written once the disk has room', async () => {
    const dataDir = await tempDir()
    const wb = await Workbench.open({ dataDir, maxThreads: 1, progressIntervalMs: 20, pollIntervalMs: 50 })
    open.push(wb)
    const original = wb.store.update.bind(wb.store)
    let full = false
    wb.store.update = async (id, change) => {
      if (full) throw enospc(join(dataDir, 'runs', id, 'run.json'))
      return original(id, change)
    }
    const seen: RunRecord[] = []
    wb.subscribe((e) => {
      if (e.type === 'run' && e.run.status === 'completed') {
        seen.push(e.run)
      }
    })
    const run = await wb.createRun(config('final write', { solver: { numEpochs: 2 } }))
    // The disk fills just before the final status write.
    wb.subscribe((e) => {
      if (e.type === 'metrics' && e.events.some((x) => x.type === 'epoch' && x.epoch === 2)) full = true
    })
    await wb.whenIdle()
    const shown = await wb.getRun(run.id)
    expect(['completed', 'failed']).toContain(shown.status)
    full = false
    for (let i = 0; i < 100; i++) {
      const onDisk = JSON.parse(
        await readFile(join(dataDir, 'runs', run.id, 'run.json'), 'utf8'),
      ) as RunRecord
      if (onDisk.status === shown.status) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('the final record never reached the disk')
  })
})

/** Mounts a tmpfs of `size` at a new folder; null where this machine does not allow it. */
function mountTmpfs(size: string): string | null {
  if (process.platform !== 'linux') return null
  const dir = join(tmpdir(), `wb-tmpfs-${process.pid}-${Math.random().toString(36).slice(2)}`)
  try {
    execFileSync('mkdir', ['-p', dir])
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    spawnSync('rmdir', [dir])
    return null
  }
}

function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir])
  spawnSync('rmdir', [dir])
}

const small = mountTmpfs('16m')
if (small === null) {
  console.log(
    'skipped: real full-disk and read-only tests: this machine cannot mount a tmpfs (needs root and mount rights)',
  )
}

describe.skipIf(small === null)('a real small filesystem', () => {
  const mounts: string[] = []
  beforeAll(() => {
    if (small) mounts.push(small)
  })
  afterAll(() => {
    for (const m of mounts) unmount(m)
  })

  it('a full disk fails the run (not the process); another folder trains on; freed, it resumes', async () => {
    const dataDir = join(small!, 'data')
    await mkdir(dataDir)
    // Leave about 2 MB: room for a record, a snapshot and a checkpoint, not for the whole run (~11 MB).
    const filler = join(small!, 'filler')
    await writeFile(filler, Buffer.alloc(14 * 1024 * 1024))
    const wb = await openAt(dataDir)
    const seen = notices(wb)
    const elsewhere = await openAt(await tempDir())
    const [full, fine] = await Promise.all([
      wb.createRun(config('on the full disk')),
      elsewhere.createRun(config('elsewhere')),
    ])
    await Promise.all([wb.whenIdle(), elsewhere.whenIdle()])
    const failed = await wb.getRun(full.id)
    expect(failed.status).toBe('failed')
    expect(failed.error!.reason).toBe('storage')
    expect(failed.error!.message).toContain(`the disk holding ${dataDir} is full`)
    expect(seen.some((n) => n.code === 'disk-full')).toBe(true)
    expect((await elsewhere.getRun(fine.id)).status).toBe('completed')
    // The run folder's files that made it are intact and readable.
    expect((await wb.readMetrics(full.id)).length).toBeGreaterThan(0)
    await rm(filler)
    await wb.resume(full.id)
    await wb.whenIdle()
    expect((await wb.getRun(full.id)).status).toBe('completed')
  }, 120_000)

  it('the CLI on a full disk exits with code 4 and one line, no stack trace', async () => {
    const dataDir = join(small!, 'cli')
    await mkdir(dataDir)
    const filler = join(small!, 'filler-cli')
    // Whatever is left, minus a little: the run's folder is made, its training cannot be saved.
    const free = Number(execFileSync('df', ['-B1', '--output=avail', small!]).toString().split('\n')[1])
    await writeFile(filler, Buffer.alloc(Math.max(0, free - 600 * 1024)))
    const file = join(await tempDir(), 'run.json')
    await writeFile(file, JSON.stringify(config('cli full disk')))
    const out: string[] = []
    const err: string[] = []
    const code = await main(['run', file, '--data-dir', dataDir], {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      terminal: null,
      stdoutIsTerminal: false,
      env: {},
      cwd: dataDir,
      interrupt: new AbortController().signal,
    })
    await rm(filler)
    expect(code).toBe(4)
    const text = out.join('') + err.join('')
    expect(text).toMatch(/is full: free some space, then resume the run/)
    expect(text).not.toMatch(/\n\s+at /)
  }, 120_000)

  it('a read-only data folder: resume is refused with the reason, in the API and the CLI (exit 4)', async () => {
    const mount = mountTmpfs('32m')
    if (mount === null) throw new Error('mounting worked a moment ago')
    mounts.push(mount)
    const dataDir = join(mount, 'data')
    await mkdir(dataDir)
    const wb = await openAt(dataDir)
    const run = await wb.createRun(config('read-only'))
    await wb.cancel(run.id)
    await wb.close()
    // Nothing is open for writing now, so the kernel lets it go read-only.
    execFileSync('mount', ['-o', 'remount,ro', mount])
    const again = await openAt(dataDir)
    await expect(again.resume(run.id)).rejects.toMatchObject({
      code: 'storage',
      message: `${dataDir} is on a read-only file system: make it writable (or move the data folder), then resume the run`,
    })
    const err: string[] = []
    const code = await main(['resume', run.id, '--data-dir', dataDir], {
      stdout: () => undefined,
      stderr: (s) => void err.push(s),
      terminal: null,
      stdoutIsTerminal: false,
      env: {},
      cwd: dataDir,
      interrupt: new AbortController().signal,
    })
    expect(code).toBe(4)
    expect(err.join('')).toBe(
      `error: ${dataDir} is on a read-only file system: make it writable (or move the data folder), then resume the run\n`,
    )
    execFileSync('mount', ['-o', 'remount,rw', mount])
    await again.resume(run.id)
    await again.whenIdle()
    expect((await again.getRun(run.id)).status).toBe('completed')
  }, 120_000)
})

describe('a data folder removed while training', () => {
  it('fails the run with a reason, and the process and its other folders go on', async () => {
    const dataDir = join(await tempDir(), 'data')
    const wb = await openAt(dataDir)
    const other = await openAt(await tempDir())
    const run = await wb.createRun(config('removed', { solver: { numEpochs: 30 } }))
    await new Promise<void>((resolve) => {
      const off = wb.subscribe((e) => {
        if (e.type === 'run' && e.run.id === run.id && e.run.checkpointEpoch >= 1) {
          off()
          resolve()
        }
      })
    })
    // Retried: the run keeps writing into it while it goes.
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 })
    await wb.whenIdle()
    // The folder is gone, so is the record on disk; what this process still shows says why.
    const shown = await wb.getRun(run.id)
    expect(shown.status).toBe('failed')
    expect(shown.error).toMatchObject({ reason: 'storage' })
    // rm -r empties the folder from the inside: the failed write may have found only the run's folder gone.
    expect([
      `the data folder ${dataDir} was removed while the run trained`,
      `the run's folder ${join(dataDir, 'runs', run.id)} was removed while it trained`,
    ]).toContain(shown.error!.message)
    expect(existsSync(dataDir)).toBe(false)
    const fine = await other.createRun(config('other folder', { solver: { numEpochs: 1 } }))
    await other.whenIdle()
    expect((await other.getRun(fine.id)).status).toBe('completed')
  }, 120_000)
})
