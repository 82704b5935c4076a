/**
 * At most one trainer per run, across processes, and every view true about runs whose owner died: real
 * processes racing on one data folder, killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { main } from '../cli/main'
import { processStartTime } from './ownership/identity'
import { Workbench, type WorkbenchEvent } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-owner-'))
  dirs.push(d)
  return d
}

function config(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 3 },
    seed: 11,
    ...over,
  }
}

/** Long enough to be killed mid-run. */
const long = (name: string, numEpochs = 40): RunConfigInput =>
  config(name, {
    dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
    model: { kind: 'fc', hiddenDims: [256, 256] },
    solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 50, numEpochs },
  })

/** Starts owner-child.ts; `lines` yields each JSON line it prints. */
function child(args: string[]): { proc: ChildProcess; next: () => Promise<Record<string, unknown>> } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'testing/owner-child.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.push(proc)
  const lines: string[] = []
  const waiters: ((l: string) => void)[] = []
  let buf = ''
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      const w = waiters.shift()
      if (w) w(line)
      else lines.push(line)
    }
  })
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const l = lines.shift()
      if (l !== undefined) return resolve(JSON.parse(l) as Record<string, unknown>)
      const onExit = (code: number | null) => reject(new Error(`child exited (${code}): ${stderr}`))
      proc.once('exit', onExit)
      waiters.push((line) => {
        proc.off('exit', onExit)
        resolve(JSON.parse(line) as Record<string, unknown>)
      })
    })
  return { proc, next }
}

async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return
  const exited = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGKILL')
  await exited
}

async function until<T>(f: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function stored(dir: string, id: string): Promise<RunRecord> {
  return JSON.parse(await readFile(join(dir, 'runs', id, 'run.json'), 'utf8')) as RunRecord
}

/** Iterations as logged in metrics.jsonl, raw: every line, resume markers included. */
async function rawLines(dir: string, id: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'runs', id, 'metrics.jsonl'), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

/** A crashed session: one run killed mid-training and `queued` behind it, no live owner. */
async function crashedSession(
  dir: string,
  queued: number,
  epochs = 40,
): Promise<{ running: string; queued: string[] }> {
  const configs = [long('killed', epochs), ...Array.from({ length: queued }, (_, i) => config(`q${i}`))]
  const c = child(['queue', dir, JSON.stringify(configs)])
  const { ids } = (await c.next()) as { ids: string[] }
  await until(async () => (await stored(dir, ids[0]!)).progress.iteration > 0)
  await kill(c.proc)
  return { running: ids[0]!, queued: ids.slice(1) }
}

describe('one trainer per run, across processes', () => {
  it('two processes opening a crashed folder at the same moment train each orphan once', async () => {
    const dir = await dataDir()
    const crash = await crashedSession(dir, 5)
    const startAt = String(Date.now() + 2500)
    const [a, b] = [child(['adopt', dir, startAt]), child(['adopt', dir, startAt])]
    const [ra, rb] = (await Promise.all([a.next(), b.next()])) as { trained: string[] }[]
    const trained = [...ra!.trained, ...rb!.trained]
    // Each queued run trained by exactly one of them; the killed one is not trained, only recorded.
    expect([...trained].sort()).toEqual([...crash.queued].sort())
    expect((await stored(dir, crash.running)).status).toBe('interrupted')
    for (const id of crash.queued) {
      const r = await stored(dir, id)
      expect(r.status).toBe('completed')
      const iterations = (await rawLines(dir, id))
        .filter((e) => e.type === 'iteration')
        .map((e) => e.iteration)
      // Written once: 6 per epoch x 3 epochs, strictly increasing, nothing doubled.
      expect(iterations).toEqual(Array.from({ length: 18 }, (_, i) => i + 1))
    }
  }, 120_000)

  it('two `resume`s of the same run at once: one trains it, the other is refused naming the owner', async () => {
    const dir = await dataDir()
    const crash = await crashedSession(dir, 0, 4)
    const io = () => {
      const out: string[] = []
      const err: string[] = []
      return {
        out,
        err,
        io: {
          stdout: (s: string) => void out.push(s),
          stderr: (s: string) => void err.push(s),
          terminal: null,
          stdoutIsTerminal: false,
          env: {},
          cwd: dir,
          interrupt: new AbortController().signal,
        },
      }
    }
    const [x, y] = [io(), io()]
    const codes = await Promise.all([
      main(['resume', crash.running, '--data-dir', dir, '--json'], x.io),
      main(['resume', crash.running, '--data-dir', dir, '--json'], y.io),
    ])
    expect([...codes].sort()).toEqual([0, 2])
    const refused = codes[0] === 2 ? x : y
    expect(refused.err.join('')).toMatch(/being trained by another process \(pid \d+ on /)
    const lines = await rawLines(dir, crash.running)
    expect(lines.filter((e) => e.type === 'resume')).toHaveLength(1)
    expect((await stored(dir, crash.running)).status).toBe('completed')
  }, 180_000)

  it('`resume <id>` trains only that run: orphaned queued runs are left queued for the app', async () => {
    const dir = await dataDir()
    const crash = await crashedSession(dir, 3, 4)
    const before = await Promise.all(
      crash.queued.map((id) => readFile(join(dir, 'runs', id, 'run.json'), 'utf8')),
    )
    const code = await main(['resume', crash.running, '--data-dir', dir, '--json'], {
      stdout: () => undefined,
      stderr: () => undefined,
      terminal: null,
      stdoutIsTerminal: false,
      env: {},
      cwd: dir,
      interrupt: new AbortController().signal,
    })
    expect(code).toBe(0)
    const after = await Promise.all(
      crash.queued.map((id) => readFile(join(dir, 'runs', id, 'run.json'), 'utf8')),
    )
    expect(after).toEqual(before)
    for (const id of crash.queued) expect((await stored(dir, id)).status).toBe('queued')
  }, 180_000)
})

describe('status is true in every view', () => {
  it('after kill -9, ls and show say interrupted without writing, and the duration stops counting', async () => {
    const dir = await dataDir()
    const c = child(['run', dir, JSON.stringify(long('killed'))])
    const { id } = (await c.next()) as { id: string }
    await until(async () => (await stored(dir, id)).progress.iteration > 0)
    await kill(c.proc)
    const file = join(dir, 'runs', id, 'run.json')
    const before = await stat(file)
    const ls = async () => {
      const out: string[] = []
      const code = await main(['ls', '--data-dir', dir, '--json'], {
        stdout: (s) => void out.push(s),
        stderr: () => undefined,
        terminal: null,
        stdoutIsTerminal: false,
        env: {},
        cwd: dir,
        interrupt: new AbortController().signal,
      })
      expect(code).toBe(0)
      return (JSON.parse(out.join('')) as { id: string; status: string; durationMs: number }[]).find(
        (r) => r.id === id,
      )!
    }
    const first = await ls()
    expect(first.status).toBe('interrupted')
    await new Promise((r) => setTimeout(r, 1100))
    const second = await ls()
    expect(second.durationMs).toBe(first.durationMs)
    const inspect = await Workbench.open({ dataDir: dir, readOnly: true })
    open.push(inspect)
    expect((await inspect.getRun(id)).status).toBe('interrupted')
    // Nothing was written: the stored record still says running.
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs)
    expect((await stored(dir, id)).status).toBe('running')
  }, 120_000)

  it('a run whose recorded owner PID now belongs to another process is interrupted, not stuck running', async () => {
    const dir = await dataDir()
    const inspect = await Workbench.open({ dataDir: dir, readOnly: true })
    open.push(inspect)
    const wb = await Workbench.open({ dataDir: dir, maxThreads: 1, adoptOrphans: false })
    open.push(wb)
    const run = await wb.createRun(config('reused'))
    await wb.whenIdle()
    await wb.close()
    // As if its owner died and the PID went to an unrelated live process (PID 1, started long ago).
    const record = { ...(await stored(dir, run.id)), status: 'running', finishedAt: null }
    await writeFile(join(dir, 'runs', run.id, 'run.json'), JSON.stringify(record))
    await mkdir(join(dir, 'locks'), { recursive: true })
    await writeFile(
      join(dir, 'locks', `${run.id}.lock`),
      JSON.stringify({
        pid: 1,
        host: hostname(),
        bootId: null,
        startTime: String(Number(processStartTime(1) ?? 0) + 999),
        nonce: 'gone',
        since: new Date().toISOString(),
      }),
    )
    if (process.platform !== 'linux') {
      console.log(
        'skipped: the PID-reuse checks need Linux start times (/proc); here only the heartbeat tells',
      )
    }
    if (process.platform === 'linux') expect((await inspect.getRun(run.id)).status).toBe('interrupted')
    const again = await Workbench.open({ dataDir: dir, maxThreads: 1 })
    open.push(again)
    if (process.platform === 'linux') expect((await stored(dir, run.id)).status).toBe('interrupted')
  })

  it('a long-lived workbench (the app, serve) sees a foreign run live and notices its owner die', async () => {
    const dir = await dataDir()
    const app = await Workbench.open({ dataDir: dir, maxThreads: 1, pollIntervalMs: 100 })
    open.push(app)
    const seen: RunRecord[] = []
    app.subscribe((e: WorkbenchEvent) => {
      if (e.type === 'run') seen.push(e.run)
    })
    const c = child(['run', dir, JSON.stringify(long('cli run'))])
    const { id } = (await c.next()) as { id: string }
    await until(async () =>
      seen.some((r) => r.id === id && r.status === 'running' && r.progress.iteration > 0),
    )
    await kill(c.proc)
    const flipped = await until(
      async () => seen.find((r) => r.id === id && r.status === 'interrupted'),
      10_000,
    )
    expect(flipped.status).toBe('interrupted')
    expect((await stored(dir, id)).status).toBe('interrupted')
    expect(app.queueState()).toEqual({ running: [], queued: [] })
  }, 120_000)

  it('the duration leaves out the time a run lay dead between a kill and its resume', async () => {
    const dir = await dataDir()
    const c = child(['run', dir, JSON.stringify(long('killed'))])
    const { id } = (await c.next()) as { id: string }
    await until(async () => (await stored(dir, id)).checkpointEpoch >= 1)
    await kill(c.proc)
    const deadMs = 2000
    await new Promise((r) => setTimeout(r, deadMs))
    const wb = await Workbench.open({ dataDir: dir, maxThreads: 1 })
    open.push(wb)
    await wb.resume(id)
    await wb.cancel(id).catch(() => undefined)
    await wb.whenIdle()
    const r = await stored(dir, id)
    const wall = Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)
    const { runDurationMs } = await import('../../src-shared/runTiming')
    const duration = runDurationMs(r, Date.now())!
    expect(duration).toBeGreaterThan(0)
    expect(wall - duration).toBeGreaterThanOrEqual(deadMs)
  }, 120_000)
})
