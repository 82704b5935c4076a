/**
 * UI smoothness with many long curves on screen: seeds 20 completed runs of 10,000 iterations each, serves
 * the browser mode on them, and measures in Chromium (1280x800) the frame intervals and long tasks of
 *   a. the Experiments page while 2 runs train live,
 *   b. opening a seeded run's detail page (time to a drawn loss chart), then dragging its EMA slider,
 *   c. the detail page of a live-training run,
 *   d. switching through the 20 seeded runs' detail pages.
 * Prints a table and the machine. Build first (`npx electron-vite build`). `--trace FILE` also records a
 * Chromium performance trace of phases a-c (open it in chrome://tracing or Perfetto).
 */
import { CHROMIUM_ARGS } from '../../src-main/core/export/pdf/chromiumArgs'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from '@playwright/test'
import { PROBE, type FrameStats, type OpenResult } from './inpage'
import { seedRuns } from './seed'

const ROOT = resolve(__dirname, '..', '..')
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const TOKEN = 'bench-token-0123456789abcdef'
const RUNS = 20
const POINTS = 10_000
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

async function openRun(page: Page, id: string, name: string, prevLast = ''): Promise<OpenResult> {
  const script = `window.__bench.openRun(${JSON.stringify(id)}, ${JSON.stringify(name)}, ${JSON.stringify(prevLast)}, 20000)`
  return (await page.evaluate(script)) as OpenResult
}

async function newLiveRun(page: Page, name: string, epochs: number): Promise<string> {
  await page.evaluate(`location.hash = '#/new'`)
  await page.getByTestId('field-name').fill(name)
  await page.getByTestId('field-solver.numEpochs').fill(String(epochs))
  await page.getByTestId('submit-run').click()
  await page.waitForURL(/#\/runs\/[0-9a-z-]+/)
  return /#\/runs\/([0-9a-z-]+)/.exec(page.url())![1]!
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const ms = (n: number) => n.toFixed(1).padStart(7)

function row(label: string, s: FrameStats, extra = ''): string {
  const tasks = `${s.longTasks} (${s.longTaskMs.toFixed(0)} ms, longest ${s.longestTask.toFixed(0)})`
  return `${label.padEnd(34)} ${String(s.frames).padStart(6)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.max)}   ${tasks}${extra}`
}

async function main(): Promise<void> {
  const started = Date.now()
  const dataDir = mkdtempSync(join(tmpdir(), 'wb-ui-bench-'))
  let server: ChildProcess | null = null
  let browser: Browser | null = null
  try {
    const seeded = await seedRuns(dataDir, RUNS, POINTS)
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
    await waitForServer(url, server, 15_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${serverErr}`)
    })

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    })
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.addInitScript(PROBE)
    await page.goto(url)
    await page.getByTestId('nav-experiments').waitFor()
    if (TRACE_FILE) await browser.startTracing(page, { path: TRACE_FILE, screenshots: false })

    // Two live runs (two training threads), long enough to still be training at phase c.
    const live1 = await newLiveRun(page, 'bench live 1', 400)
    await newLiveRun(page, 'bench live 2', 400)
    await page
      .getByTestId('run-detail-status')
      .and(page.locator('[data-status="running"]'))
      .waitFor({ timeout: 20_000 })

    // a. Experiments page with 20 x 10k runs + 2 live.
    await page.evaluate(`location.hash = '#/'`)
    await page.getByTestId('run-row').filter({ hasText: 'bench seeded 20' }).waitFor()
    await sleep(500)
    const a = await frames(page, () => sleep(5000))

    // b. Open a seeded run's detail page, then drag the EMA slider for 3 s.
    const target = seeded[RUNS - 1]!
    const open = await openRun(page, target.id, target.name)
    const wiggles = { n: 0 }
    const b = await frames(page, async () => {
      wiggles.n = (await page.evaluate('window.__bench.wiggle(3000, 30)')) as number
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

    // d. Switch through the 20 seeded runs.
    await page.evaluate(`location.hash = '#/'`)
    await page.getByTestId('run-row').first().waitFor()
    let prev = ''
    const switches: number[] = []
    const d = await frames(page, async () => {
      for (const run of seeded) {
        const r = await openRun(page, run.id, run.name, prev)
        switches.push(r.ms)
        prev = r.last
      }
    })

    const cpu = cpus()
    console.log(
      `\nUI bench: ${RUNS} completed runs x ${POINTS} iterations (seeded in ${seedMs} ms) + 2 live runs`,
    )
    console.log(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores; node ${process.version}`)
    console.log(`chromium: ${browser.version()} headless, --disable-gpu, 1280x800\n`)
    console.log(
      `${'frame intervals (ms)'.padEnd(34)} ${'frames'.padStart(6)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}   long tasks (total, longest)`,
    )
    console.log(row('a. experiments, 2 live (5 s)', a))
    console.log(row('b. detail, EMA slider (3 s)', b, `   [${wiggles.n} inputs]`))
    console.log(row('c. detail of live run (5 s)', c, `   [iteration ${it0} -> ${it1}]`))
    console.log(row('d. switching 20 detail pages', d))
    console.log('')
    console.log(`b. first detail open to drawn loss chart: ${open.ms.toFixed(0)} ms`)
    const mean = switches.reduce((s, x) => s + x, 0) / switches.length
    console.log(
      `d. switch to chart ready: mean ${mean.toFixed(0)} ms, max ${Math.max(...switches).toFixed(0)} ms, ` +
        `min ${Math.min(...switches).toFixed(0)} ms (${switches.length} runs)`,
    )
    if (TRACE_FILE) console.log(`trace of a-c: ${TRACE_FILE}`)
    console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`)
    if (process.env['UI_BENCH_JSON']) {
      writeFileSync(process.env['UI_BENCH_JSON'], JSON.stringify({ a, b, c, d, open, switches }, null, 2))
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
