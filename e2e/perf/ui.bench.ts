/**
 * The UI at scale: seeds 1,000 completed runs of 10,000 iterations each in 50 sweeps (run folders written
 * straight to disk: seedStore.ts), serves the browser mode on them and measures in Chromium (1280x800):
 *   1. the experiments page to a drawn table (a cold load, and coming back from another page),
 *   2. filter and sort latency: a filter typed, a column header clicked, to the updated rows painted,
 *   3. comparing 50 runs to drawn loss and accuracy charts (the first open, and again),
 *   4. grouping those 50 runs into 5 groups (by learning rate), when the build has grouping,
 *   5. frame intervals while 2 runs train: the experiments page (a), a seeded run's detail page while its
 *      EMA slider is dragged (b), a live run's detail page (c), switching through 20 detail pages (d).
 * Prints each figure next to its target with pass/fail, and the machine. Build first
 * (`npx electron-vite build`). Takes about 3 minutes on the 2-vCPU development VM (a minute of it seeding).
 * `--trace FILE` records a Chromium performance trace of phase 5a-c; `UI_BENCH_JSON=FILE` writes the
 * figures as JSON; `UI_BENCH_GROUP_QUERY` is the compare view's grouping parameter (default below).
 */
import { CHROMIUM_ARGS } from '../../src-main/core/export/pdf/chromiumArgs'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from '@playwright/test'
import { PROBE, type FrameStats, type GroupResult, type OpenResult } from './inpage'
import { machineLine } from './machine'
import { seedStore } from './seedStore'

const ROOT = resolve(__dirname, '..', '..')
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const TOKEN = 'bench-token-0123456789abcdef'
/** UI_BENCH_RUNS: fewer runs (at least 50) to try the bench quickly; the figures are for 1,000. */
const RUNS = Math.max(50, Number(process.env['UI_BENCH_RUNS'] ?? 1000))
const POINTS = 10_000
const SWEEPS = Math.max(1, Math.round(RUNS / 20))
const COMPARED = 50
/**
 * How the compare view is asked to group its runs by learning rate (the grouping feature's URL
 * parameter); the view marks a grouped chart with data-testid="compare-grouped" and data-groups.
 */
const GROUP_QUERY = process.env['UI_BENCH_GROUP_QUERY'] ?? 'group=solver.optimConfig.learningRate'
/** The overlay draws two curves per run on each chart: raw and smoothed loss, val and train accuracy. */
const CURVES_PER_RUN = 2
const TARGET = { tableMs: 100, compareMs: 1000, p95Ms: 33 }
const ROUNDS = 3
/** Long enough (about 216,000 iterations) that both live runs still train at the end of the bench. */
const LIVE_EPOCHS = 4000
const traceArg = process.argv.indexOf('--trace')
const TRACE_FILE = traceArg >= 0 ? process.argv[traceArg + 1] : undefined

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.once('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => res(port))
    })
  })
}

async function waitForServer(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`)
    try {
      // The UI is public; the token in the fragment is for the page, never sent.
      if ((await fetch(url)).status < 400) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no server at ${url} after ${timeoutMs} ms`)
}

async function frames(page: Page, during: () => Promise<unknown>): Promise<FrameStats> {
  await page.evaluate('window.__bench.start()')
  await during()
  return (await page.evaluate('window.__bench.stop()')) as FrameStats
}

const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(`window.__bench.${fn}(${args.map((a) => JSON.stringify(a)).join(', ')})`) as Promise<T>

async function newLiveRun(page: Page, name: string, epochs: number): Promise<string> {
  await page.evaluate(`location.hash = '#/new'`)
  await page.getByTestId('field-name').fill(name)
  await page.getByTestId('field-solver.numEpochs').fill(String(epochs))
  await page.getByTestId('submit-run').click()
  await page.waitForURL(/#\/runs\/[0-9a-z-]+/)
  return /#\/runs\/([0-9a-z-]+)/.exec(page.url())![1]!
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const fmt = (n: number) => n.toFixed(0).padStart(6)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const verdict = (value: number, target: number) => (value < target ? 'pass' : 'FAIL')

/** A timed line: its label, the median and worst of its rounds, and the target if it has one. */
function timed(label: string, xs: number[], target?: number): string {
  const worst = Math.max(...xs)
  const goal = target === undefined ? '' : `   < ${target} ms: ${verdict(worst, target)}`
  return `${label.padEnd(44)} ${fmt(median(xs))} ${fmt(worst)}${goal}`
}

function frameRow(label: string, s: FrameStats, extra = ''): string {
  const tasks = `${s.longTasks} (${s.longTaskMs.toFixed(0)} ms, longest ${s.longestTask.toFixed(0)})`
  const p = (n: number) => n.toFixed(1).padStart(6)
  const goal = `${verdict(s.p95, TARGET.p95Ms)}`.padEnd(5)
  return `${label.padEnd(36)} ${String(s.frames).padStart(6)} ${p(s.p50)} ${p(s.p95)} ${goal} ${p(s.max)}   ${tasks}${extra}`
}

async function main(): Promise<void> {
  const started = Date.now()
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-ui-bench-'))
  let server: ChildProcess | null = null
  let browser: Browser | null = null
  try {
    const seeded = seedStore(dataDir, { runs: RUNS, iterations: POINTS, sweeps: SWEEPS })
    const seedMs = Date.now() - started
    const port = await freePort()
    server = spawn(
      process.execPath,
      ['out/main/cli.js', 'serve', '--data-dir', dataDir, '--port', String(port), '--threads', '2'],
      { cwd: ROOT, env: { ...process.env, WORKBENCH_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let serverErr = ''
    server.stderr?.on('data', (d: Buffer) => (serverErr = (serverErr + d.toString()).slice(-4000)))
    const url = `http://127.0.0.1:${port}/#token=${TOKEN}`
    await waitForServer(url, server, 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${serverErr}`)
    })

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.addInitScript(PROBE)
    const total = (n: number) => String(n)

    // 1. Experiments page to a drawn table: cold loads (the first reads the store), then back from a run.
    await page.goto(url)
    const cold = [await call<number>(page, 'tableDrawn', total(RUNS), null, 120_000)]
    for (let i = 1; i < ROUNDS; i++) {
      await page.reload()
      cold.push(await call<number>(page, 'tableDrawn', total(RUNS), null, 120_000))
    }
    const back: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      await page.evaluate(`location.hash = '#/runs/${seeded[i]!.id}'`)
      await page.getByTestId('run-detail-name').waitFor()
      back.push(await call<number>(page, 'openTable', '#/', total(RUNS), 60_000))
    }

    // 2. Filter and sort: a filter typed (one input event, as a paste or the last keystroke), a header clicked.
    const filters: Record<string, number[]> = {
      [`lr = 1e-3 (${RUNS} -> ${RUNS / 5} rows)`]: [],
      [`lr = 2e-3 (${RUNS / 5} -> ${RUNS / 5} other rows)`]: [],
      [`cleared (${RUNS / 5} -> ${RUNS} rows)`]: [],
    }
    const sorts: Record<string, number[]> = {
      'best val, then reversed': [],
      'name, then reversed': [],
    }
    for (let i = 0; i < ROUNDS; i++) {
      const [f1, f2, f3] = Object.values(filters) as [number[], number[], number[]]
      f1.push(await call<number>(page, 'filter', 'lr = 1e-3', 30_000))
      f2.push(await call<number>(page, 'filter', 'lr = 2e-3', 30_000))
      f3.push(await call<number>(page, 'filter', '', 30_000))
      const [s1, s2] = Object.values(sorts) as [number[], number[]]
      s1.push(await call<number>(page, 'sort', 'bestVal', 30_000))
      s1.push(await call<number>(page, 'sort', 'bestVal', 30_000))
      s2.push(await call<number>(page, 'sort', 'name', 30_000))
      s2.push(await call<number>(page, 'sort', 'name', 30_000))
    }

    // 3. Compare 50 runs (three sweeps' worth): the first open reads their metrics, later ones are cached.
    const compared = seeded.slice(0, COMPARED)
    const compareHash = `#/compare?ids=${compared.map((r) => r.id).join(',')}`
    const compare: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      await call<number>(page, 'openTable', '#/', total(RUNS), 60_000)
      compare.push(await call<number>(page, 'openCompare', compareHash, COMPARED * CURVES_PER_RUN, 60_000))
    }

    // 4. The same 50 runs grouped by learning rate: 5 groups of 10.
    await call<number>(page, 'openTable', '#/', total(RUNS), 60_000)
    const grouped = await call<GroupResult | null>(
      page,
      'openGrouped',
      `${compareHash}&${GROUP_QUERY}`,
      15_000,
    )
    const groupsExpected = new Set(compared.map((r) => r.learningRate)).size

    // 5. Two live runs (two training threads), long enough to still train through phase c.
    const live1 = await newLiveRun(page, 'bench live 1', LIVE_EPOCHS)
    await newLiveRun(page, 'bench live 2', LIVE_EPOCHS)
    await page
      .getByTestId('run-detail-status')
      .and(page.locator('[data-status="running"]'))
      .waitFor({ timeout: 30_000 })
    if (TRACE_FILE) await browser.startTracing(page, { path: TRACE_FILE, screenshots: false })

    // a. The experiments page with 1,000 runs + 2 live.
    await call<number>(page, 'openTable', '#/', total(RUNS + 2), 60_000)
    await sleep(500)
    const a = await frames(page, () => sleep(5000))

    // b. Open a seeded run's detail page, then drag its EMA slider for 3 s.
    const target = seeded[RUNS - 1]!
    const open = await call<OpenResult>(page, 'openRun', target.id, target.name, '', 20_000)
    const wiggles = { n: 0 }
    const b = await frames(page, async () => {
      wiggles.n = await call<number>(page, 'wiggle', 3000, 30)
    })

    // c. A live run's detail page for 5 s.
    await page.evaluate(`location.hash = '#/runs/${live1}'`)
    await page.getByTestId('loss-chart').locator('canvas').first().waitFor()
    const iterOf = async () =>
      Number(await page.getByTestId('run-detail-status').getAttribute('data-iteration'))
    await sleep(500)
    const it0 = await iterOf()
    const c = await frames(page, () => sleep(5000))
    const it1 = await iterOf()
    if (TRACE_FILE) await browser.stopTracing()

    // d. Switch through 20 seeded runs' detail pages.
    await call<number>(page, 'openTable', '#/', total(RUNS + 2), 60_000)
    let prev = ''
    const switches: number[] = []
    const d = await frames(page, async () => {
      for (const run of seeded.slice(-20)) {
        const r = await call<OpenResult>(page, 'openRun', run.id, run.name, prev, 20_000)
        switches.push(r.ms)
        prev = r.last
      }
    })

    console.log(
      `\nUI bench: ${total(RUNS)} completed runs x ${total(POINTS)} iterations in ${SWEEPS} sweeps ` +
        `(seeded in ${(seedMs / 1000).toFixed(1)} s) + 2 live runs`,
    )
    console.log(machineLine())
    console.log(`chromium: ${browser.version()} headless, --disable-gpu, 1280x800\n`)
    console.log(`${'to drawn (ms)'.padEnd(44)} ${'median'.padStart(6)} ${'worst'.padStart(6)}   target`)
    console.log(timed(`1. experiments page, cold load (${ROUNDS}x)`, cold))
    console.log(timed(`1. experiments page, back from a run (${ROUNDS}x)`, back))
    for (const [label, xs] of Object.entries(filters))
      console.log(timed(`2. filter ${label}`, xs, TARGET.tableMs))
    for (const [label, xs] of Object.entries(sorts))
      console.log(timed(`2. sort by ${label}`, xs, TARGET.tableMs))
    console.log(timed(`3. compare ${COMPARED} runs, first open`, compare.slice(0, 1), TARGET.compareMs))
    console.log(
      timed(`3. compare ${COMPARED} runs, again (${ROUNDS - 1}x)`, compare.slice(1), TARGET.compareMs),
    )
    if (grouped) {
      const note =
        grouped.groups === String(groupsExpected)
          ? ''
          : `   (data-groups ${grouped.groups}, expected ${groupsExpected})`
      console.log(
        `${timed(`4. group ${COMPARED} runs into ${groupsExpected} groups`, [grouped.ms], TARGET.compareMs)}${note}`,
      )
    } else {
      console.log('4. group: not measured (no grouping in this build)')
    }
    console.log('')
    console.log(
      `${'5. frame intervals, 2 runs training (ms)'.padEnd(36)} ${'frames'.padStart(6)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${`<${TARGET.p95Ms}`.padEnd(5)} ${'max'.padStart(6)}   long tasks (total, longest)`,
    )
    console.log(frameRow('a. experiments (5 s)', a))
    console.log(frameRow('b. detail, EMA slider (3 s)', b, `   [${wiggles.n} inputs]`))
    console.log(frameRow('c. detail of live run (5 s)', c, `   [iteration ${it0} -> ${it1}]`))
    console.log(frameRow('d. switching 20 detail pages', d))
    console.log('')
    console.log(`b. first detail open to drawn loss chart: ${open.ms.toFixed(0)} ms`)
    console.log(
      `d. switch to chart ready: median ${median(switches).toFixed(0)} ms, max ${Math.max(...switches).toFixed(0)} ms ` +
        `(${switches.length} runs)`,
    )
    if (TRACE_FILE) console.log(`trace of 5a-c: ${TRACE_FILE}`)
    console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`)
    if (process.env['UI_BENCH_JSON']) {
      const figures = { cold, back, filters, sorts, compare, grouped, a, b, c, d, open, switches, seedMs }
      writeFileSync(process.env['UI_BENCH_JSON'], JSON.stringify(figures, null, 2))
    }
  } finally {
    await browser?.close().catch(() => {})
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r))
      server.kill('SIGTERM')
      await Promise.race([exited, sleep(5000)])
      if (server.exitCode === null) server.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
