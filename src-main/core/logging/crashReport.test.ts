import { EventEmitter } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TrainingPool } from '../pool'
import { syntheticDataset, trainTask } from '../testing/poolTasks'
import { createAppLog, rotate, type AppLog } from './appLog'
import {
  formatCrashReport,
  installCrashHandlers,
  reportWorkerFailure,
  trainingRuns,
  writeCrashReport,
} from './crashReport'

let dir: string
let log: AppLog
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-logs-'))
  log = createAppLog({ dir, name: 'test' })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const reports = () => readdirSync(dir).filter((f) => f.startsWith('crash-'))

describe('crash reports', () => {
  it('say when, which version and platform, what was training, and the stack', () => {
    const error = new TypeError('cannot read x of undefined')
    const text = formatCrashReport({
      process: 'main',
      reason: 'uncaughtException',
      error,
      version: '0.1.0',
      runs: [{ id: '20261202-040000-ab12cd', name: 'lr sweep 3', iteration: 420 }],
      time: new Date('2026-12-02T04:00:00Z'),
    })
    expect(text).toContain('Time:      2026-12-02T04:00:00.000Z')
    expect(text).toContain('Process:   main (uncaughtException)')
    expect(text).toMatch(/Version: {3}Workbench 0\.1\.0 \(.*Node /)
    expect(text).toContain(`Platform:  ${process.platform}`)
    expect(text).toContain('  20261202-040000-ab12cd "lr sweep 3" at iteration 420')
    expect(text).toContain('TypeError: cannot read x of undefined')
    expect(text).toContain('crashReport.test.ts')
  })

  it('are written whole under a name that sorts by time', () => {
    const file = writeCrashReport(dir, {
      process: 'worker',
      reason: 'worker error',
      error: 'thread exited with code 3',
      version: '0.1.0',
      runs: [],
      time: new Date('2026-12-02T04:00:00Z'),
    })
    expect(file).toMatch(/crash-2026-12-02T04-00-00-000Z-worker-\d+\.txt$/)
    expect(readFileSync(file, 'utf8')).toContain('  (none)')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('installCrashHandlers', () => {
  it('reports an uncaught exception with the training runs, then calls onFatal', () => {
    const proc = new EventEmitter()
    const onFatal = vi.fn()
    const off = installCrashHandlers(proc as unknown as NodeJS.Process, {
      log,
      version: '0.1.0',
      runs: () => [{ id: 'run-a', iteration: 7 }],
      onFatal,
    })
    const error = new Error('boom')
    proc.emit('uncaughtException', error)
    expect(onFatal).toHaveBeenCalledOnce()
    const [got, file] = onFatal.mock.calls[0]!
    expect(got).toBe(error)
    expect(readFileSync(file as string, 'utf8')).toMatch(
      /uncaughtException[\s\S]*run-a at iteration 7[\s\S]*Error: boom/,
    )
    expect(readFileSync(log.file, 'utf8')).toContain('uncaughtException: Error: boom')
    off()
    expect(proc.listenerCount('uncaughtException')).toBe(0)
  })

  it('reports an unhandled rejection without ending the process', () => {
    const proc = new EventEmitter()
    const onFatal = vi.fn()
    installCrashHandlers(proc as unknown as NodeJS.Process, { log, version: '1', runs: () => [], onFatal })
    proc.emit('unhandledRejection', new Error('lost promise'))
    expect(onFatal).not.toHaveBeenCalled()
    expect(reports()).toHaveLength(1)
    expect(readFileSync(join(dir, reports()[0]!), 'utf8')).toContain('unhandledRejection')
  })

  it('still calls onFatal when the runs cannot be listed', () => {
    const proc = new EventEmitter()
    const onFatal = vi.fn()
    installCrashHandlers(proc as unknown as NodeJS.Process, {
      log,
      version: '1',
      runs: () => {
        throw new Error('core broken')
      },
      onFatal,
    })
    proc.emit('uncaughtException', new Error('x'))
    expect(onFatal).toHaveBeenCalledWith(expect.any(Error), expect.stringContaining('crash-'))
  })
})

describe('trainingRuns', () => {
  it('follows run events: running runs in, finished ones out', () => {
    let listener: ((e: { type: string; run?: never }) => void) | null = null
    const t = trainingRuns((l) => {
      listener = l as never
      return () => (listener = null)
    })
    const run = (id: string, status: string, iteration = 0) =>
      ({
        type: 'run',
        run: { id, status, config: { name: id.toUpperCase() }, progress: { iteration } },
      }) as never
    listener!(run('a', 'running', 5))
    listener!(run('b', 'running'))
    listener!(run('b', 'completed'))
    expect(t.runs()).toEqual([{ id: 'a', name: 'A', iteration: 5 }])
    t.stop()
    expect(listener).toBeNull()
  })
})

describe('worker failures', () => {
  it('a worker thread that dies leaves a report naming its run, through the pool', async () => {
    const failures: unknown[] = []
    const pool = new TrainingPool({
      maxThreads: 1,
      filename: join(__dirname, '..', 'testing', 'crashy-worker.cjs'),
      onWorkerFailure: (f) => {
        failures.push(f)
        reportWorkerFailure(log, '0.1.0', { ...f, runName: 'crash' })
      },
    })
    try {
      const task = trainTask(syntheticDataset(8, 8, 200, 50), {
        name: 'crash',
        model: { kind: 'two-layer', hiddenDim: 10 },
        solver: { batchSize: 50, numEpochs: 1 },
      })
      await expect(pool.run(task, () => {}).done).rejects.toThrow()
    } finally {
      await pool.destroy()
    }
    expect(failures).toEqual([expect.objectContaining({ runId: 'crash' })])
    expect(reports()).toHaveLength(1)
    const text = readFileSync(join(dir, reports()[0]!), 'utf8')
    expect(text).toContain('Process:   worker (worker error)')
    expect(text).toContain('  crash "crash"')
    expect(readFileSync(log.file, 'utf8')).toContain('the worker training crash failed')
  }, 60_000)
})

describe('the log file', () => {
  it('keeps a few generations when it rotates', () => {
    const file = join(dir, 'main.log')
    for (let n = 1; n <= 5; n++) {
      writeFileSync(file, `generation ${n}`)
      rotate(file, 3)
    }
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('main'))
        .sort(),
    ).toEqual(['main.1.log', 'main.2.log', 'main.3.log'])
    expect(readFileSync(join(dir, 'main.1.log'), 'utf8')).toBe('generation 5')
    expect(readFileSync(join(dir, 'main.3.log'), 'utf8')).toBe('generation 3')
  })

  it('writes timestamped lines', () => {
    log.warn('disk nearly full')
    expect(readFileSync(log.file, 'utf8')).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] \[warn\] +disk nearly full$/m)
  })
})
