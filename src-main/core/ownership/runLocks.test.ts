import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, utimes, writeFile, mkdir } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { newRunId } from '../store/ids'
import { currentIdentity, liveness, processStartTime, type ProcessIdentity } from './identity'
import { LOCKS_DIR, RunLocks } from './runLocks'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-locks-'))
  dirs.push(d)
  return d
}

/** The PID of a process that has exited (and not been reused yet, in all likelihood). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

async function plantLock(dir: string, id: string, holder: Partial<ProcessIdentity>, ageMs = 0) {
  await mkdir(join(dir, LOCKS_DIR), { recursive: true })
  const path = join(dir, LOCKS_DIR, `${id}.lock`)
  const full = {
    pid: 1,
    host: hostname(),
    bootId: null,
    startTime: null,
    nonce: 'planted',
    since: new Date().toISOString(),
    ...holder,
  }
  await writeFile(path, JSON.stringify(full))
  if (ageMs > 0) {
    const t = new Date(Date.now() - ageMs)
    await utimes(path, t, t)
  }
  return path
}

describe('process identity', () => {
  it('knows this process is alive and an exited one is dead', () => {
    const me = currentIdentity()
    expect(liveness(me, me)).toBe('alive')
    expect(liveness({ ...me, pid: deadPid(), nonce: 'x' }, me)).toBe('dead')
  })

  it.runIf(process.platform === 'linux')(
    'a live PID with another start time is a reused PID: dead (Linux)',
    () => {
      const me = currentIdentity()
      expect(me.startTime).toMatch(/^\d+$/)
      expect(me.bootId).toMatch(/^[0-9a-f-]{36}$/)
      // PID 1 is alive but is not the process that took the lock.
      const reused = { ...me, pid: 1, startTime: String(Number(processStartTime(1) ?? 0) + 12345) }
      expect(liveness(reused, me)).toBe('dead')
      expect(liveness({ ...me, bootId: 'another-boot' }, me)).toBe('dead')
    },
  )

  it('cannot judge another host by PID', () => {
    const me = currentIdentity()
    expect(liveness({ ...me, host: 'elsewhere.example' }, me)).toBe('unknown')
  })
})

describe('RunLocks', () => {
  it('one owner at a time: a second owner is refused while the first lives, and wins after release', async () => {
    const dir = await dataDir()
    const a = new RunLocks(dir, currentIdentity())
    const b = new RunLocks(dir, currentIdentity())
    const id = newRunId()
    expect(await a.claim(id)).toEqual({ ok: true })
    expect(await a.claim(id)).toEqual({ ok: true })
    const refused = await b.claim(id)
    expect(refused.ok).toBe(false)
    expect(refused.ok === false && refused.holder.nonce).toBe(a.self.nonce)
    await a.release(id)
    expect(await a.holder(id)).toBeNull()
    expect(await b.claim(id)).toEqual({ ok: true })
    expect((await a.holder(id))?.holder.nonce).toBe(b.self.nonce)
  })

  it('breaks the lock of a dead holder, and of a holder whose PID now names another process', async () => {
    const dir = await dataDir()
    const me = new RunLocks(dir, currentIdentity())
    const dead = newRunId()
    await plantLock(dir, dead, { pid: deadPid(), startTime: processStartTime(process.pid) })
    expect((await me.holder(dead))?.alive).toBe(false)
    expect(await me.claim(dead)).toEqual({ ok: true })

    if (process.platform === 'linux') {
      const reused = newRunId()
      await plantLock(dir, reused, { pid: 1, startTime: '1', bootId: me.self.bootId })
      expect(await me.claim(reused)).toEqual({ ok: true })
    }
    // No temporary or break files are left behind.
    const names = await readdir(join(dir, LOCKS_DIR))
    expect(names.every((n) => n.endsWith('.lock'))).toBe(true)
  })

  it('judges another host by its heartbeat: fresh is alive, stale is dead', async () => {
    const dir = await dataDir()
    const me = new RunLocks(dir, currentIdentity(), { staleMs: 10_000 })
    const fresh = newRunId()
    const stale = newRunId()
    await plantLock(dir, fresh, { host: 'lab-desktop', pid: process.pid })
    await plantLock(dir, stale, { host: 'lab-desktop', pid: process.pid }, 60_000)
    expect((await me.claim(fresh)).ok).toBe(false)
    expect((await me.claim(stale)).ok).toBe(true)
  })

  it('an unreadable lock file is alive while new and dead once old', async () => {
    const dir = await dataDir()
    const me = new RunLocks(dir, currentIdentity(), { staleMs: 10_000 })
    const id = newRunId()
    const path = await plantLock(dir, id, {})
    await writeFile(path, '{"pid": tr')
    expect((await me.claim(id)).ok).toBe(false)
    const old = new Date(Date.now() - 60_000)
    await utimes(path, old, old)
    expect((await me.claim(id)).ok).toBe(true)
  })

  it('heartbeat reports a lock another owner took over, and release then leaves it alone', async () => {
    const dir = await dataDir()
    const me = new RunLocks(dir, currentIdentity())
    const id = newRunId()
    await me.claim(id)
    await plantLock(dir, id, { pid: process.pid, nonce: 'usurper', startTime: me.self.startTime })
    expect(await me.heartbeat()).toEqual([id])
    expect(me.holds(id)).toBe(false)
    await me.release(id)
    expect((await me.holder(id))?.holder.nonce).toBe('usurper')
  })

  it('processes racing for the same runs (free and dead-held) never both win one', async () => {
    const dir = await dataDir()
    const ids = Array.from({ length: 24 }, () => newRunId())
    for (const id of ids.slice(0, 12)) await plantLock(dir, id, { pid: deadPid() })
    for (let round = 0; round < 3; round++) {
      await rm(join(dir, LOCKS_DIR), { recursive: true, force: true })
      for (const id of ids.slice(0, 12)) await plantLock(dir, id, { pid: deadPid() })
      const startAt = Date.now() + 1500
      const children = Array.from({ length: 4 }, () =>
        spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            join(__dirname, 'testing/claim-child.ts'),
            dir,
            JSON.stringify(ids),
            String(startAt),
          ],
          { stdio: ['pipe', 'pipe', 'inherit'] },
        ),
      )
      const won = await Promise.all(
        children.map(
          (c) =>
            new Promise<string[]>((resolve, reject) => {
              let out = ''
              c.stdout.on('data', (d: Buffer) => {
                out += d.toString()
                if (out.endsWith('\n')) resolve(JSON.parse(out) as string[])
              })
              c.once('exit', (code) => reject(new Error(`child exited early (${code})`)))
            }),
        ),
      )
      // Only now may the children exit: each holds its locks while the others race.
      await Promise.all(
        children.map((c) => {
          const exited = new Promise((r) => c.once('exit', r))
          c.stdin.end()
          return exited
        }),
      )
      const all = won.flat()
      // Every run has exactly one owner.
      expect(all.sort()).toEqual([...ids].sort())
    }
  }, 60_000)
})
