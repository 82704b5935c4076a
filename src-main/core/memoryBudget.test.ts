/**
 * The memory budget, wired into the core: configs that would exhaust the machine are refused when
 * queued (by estimate alone: nothing is allocated), and the scheduler starts a run only when it fits next
 * to the runs already training.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RunConfigSchema, type RunConfigInput } from '../../src-shared/config'
import { estimateForDataset } from '../../src-worker/taskMemory'
import { main } from '../cli/main'
import { WorkbenchError } from './errors'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(memoryBudget: string, maxThreads = 2): Promise<Workbench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-budget-'))
  dirs.push(dataDir)
  const wb = await Workbench.open({ dataDir, maxThreads, memoryBudget, progressIntervalMs: 20 })
  open.push(wb)
  return wb
}

const dataset = { name: 'fashion-mnist-small' }

async function refusal(p: Promise<unknown>): Promise<WorkbenchError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(WorkbenchError)
  return e as WorkbenchError
}

describe('the memory budget', () => {
  it("refuses the issue's three configs under 12 GB, naming the field, the estimate and the budget", async () => {
    const wb = await workbench('12GB')
    const deep = await refusal(
      wb.createRun({ name: 'deep', dataset, model: { kind: 'fc', hiddenDims: Array(32).fill(65536) } }),
    )
    expect(deep.code).toBe('invalid-config')
    expect(deep.fields).toHaveLength(1)
    expect(deep.fields[0]!.path).toBe('model.hiddenDims')
    expect(deep.fields[0]!.message).toMatch(/^this net needs about \d+(\.\d)? TB .*; the budget is 12 GB$/)

    const wide = await refusal(
      wb.createRun({
        name: 'wide',
        dataset,
        model: { kind: 'two-layer', hiddenDim: 65536 },
        solver: { batchSize: 65536 },
      }),
    )
    expect(wide.fields[0]!.path).toBe('solver.batchSize')
    expect(wide.fields[0]!.message).toMatch(
      /^this net needs about \d+ GB for batch 65536, .*; the budget is 12 GB$/,
    )

    const adam = await refusal(
      wb.createRun({
        name: 'adam',
        dataset,
        model: { kind: 'fc', hiddenDims: [30000, 30000] },
        solver: { updateRule: 'adam' },
      }),
    )
    expect(adam.fields[0]!.path).toBe('model.hiddenDims')
    expect(adam.fields[0]!.message).toMatch(/needs about \d+ GB .*adam state.*; the budget is 12 GB$/)
    expect(await wb.listRuns()).toEqual([])
  })

  it('refuses a sweep whole when one of its runs cannot fit, naming the swept param', async () => {
    const wb = await workbench('2GB')
    const e = await refusal(
      wb.createSweep({
        name: 'wide',
        method: 'grid',
        base: { name: 'x', dataset, model: { kind: 'two-layer' }, solver: { numEpochs: 1 } },
        params: { 'model.hiddenDim': { values: [50, 60000] } },
      }),
    )
    expect(e.fields.map((f) => f.path)).toEqual(['params.model.hiddenDim'])
    expect(e.fields[0]!.message).toMatch(/^run 2 of 2: this net needs about .* the budget is 2 GB$/)
    expect(await wb.listRuns()).toEqual([])
  })

  it('starts a run only when it fits next to those training: two that fit one at a time run one after the other', async () => {
    const config: RunConfigInput = {
      name: 'half',
      dataset: { ...dataset, numTraining: 2000, numValidation: 200, numTest: 200 },
      model: { kind: 'two-layer', hiddenDim: 1500 },
      solver: { numEpochs: 2, batchSize: 100 },
      seed: 1,
    }
    const info = {
      format: 'idx' as const,
      shape: [1, 28, 28] as const,
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      counts: { train: 6000, test: 1000 },
    }
    const e = estimateForDataset(RunConfigSchema.parse(config), info, { sanityChecks: false })
    // Room for one run and the dataset, not for two.
    const budget = Math.floor(1.5 * e.bytes + e.datasetBytes)
    const wb = await workbench(`${budget}B`, 2)
    const a = await wb.createRun({ ...config, name: 'a' })
    const b = await wb.createRun({ ...config, name: 'b' })
    expect(wb.queueState()).toEqual({ running: [a.id], queued: [b.id] })
    await wb.whenIdle()
    const [ra, rb] = [await wb.getRun(a.id), await wb.getRun(b.id)]
    expect(ra.status).toBe('completed')
    expect(rb.status).toBe('completed')
    expect(Date.parse(rb.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ra.finishedAt!))
  })

  it('the CLI takes --memory-budget and $WORKBENCH_MEMORY_BUDGET, and refuses a bad one naming it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-budget-cli-'))
    dirs.push(dataDir)
    const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const err: string[] = []
      const code = await main([...args, '--data-dir', dataDir], {
        stdout: () => undefined,
        stderr: (s) => void err.push(s),
        terminal: null,
        stdoutIsTerminal: false,
        env,
        cwd: dataDir,
        interrupt: new AbortController().signal,
      })
      return { code, err: err.join('') }
    }
    const bad = await run(['ls', '--memory-budget', '12'])
    expect(bad.code).toBe(2)
    expect(bad.err).toBe(
      "error: --memory-budget: give '12' a unit (12GB, 12MB) or write a fraction such as 0.5\n",
    )
    const env = await run(['ls'], { WORKBENCH_MEMORY_BUDGET: 'lots' })
    expect(env.code).toBe(2)
    expect(env.err).toMatch(/^error: \$WORKBENCH_MEMORY_BUDGET: expected a size such as 12GB/)
    expect((await run(['ls', '--memory-budget', '50%'])).code).toBe(0)
  })
})
