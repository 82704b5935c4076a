/** What the dataset cannot satisfy is refused when the run or sweep is queued, naming the field. */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkbenchError } from './errors'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(): Promise<Workbench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-admit-'))
  dirs.push(dataDir)
  const wb = await Workbench.open({ dataDir, maxThreads: 1 })
  open.push(wb)
  return wb
}

async function refusal(p: Promise<unknown>): Promise<WorkbenchError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(WorkbenchError)
  return e as WorkbenchError
}

const base = { name: 'x', model: { kind: 'two-layer', hiddenDim: 10 }, solver: { numEpochs: 1 } }

describe('admission against the dataset', () => {
  it('refuses more training or test images than the dataset has, at once and naming the field', async () => {
    const wb = await workbench()
    // The embedded set: 6000 training images (5400 + 600 by default) and 1000 test images.
    const big = await refusal(
      wb.createRun({ ...base, dataset: { name: 'fashion-mnist-small', numTraining: 60000 } }),
    )
    expect(big.code).toBe('invalid-config')
    expect(big.fields).toEqual([
      {
        path: 'dataset.numTraining',
        message:
          "numTraining (60000) + numValidation (600) exceed the 6000 training images of 'fashion-mnist-small' (validation images come from the training split)",
        issue: {
          code: 'trainSplitTooLarge',
          dataset: 'fashion-mnist-small',
          numTraining: 60000,
          numValidation: 600,
          available: 6000,
        },
      },
    ])
    const test = await refusal(
      wb.createRun({ ...base, dataset: { name: 'fashion-mnist-small', numTest: 1001 } }),
    )
    expect(test.fields.map((f) => f.path)).toEqual(['dataset.numTest'])
    const val = await refusal(
      wb.createRun({ ...base, dataset: { name: 'fashion-mnist-small', numValidation: 5401 } }),
    )
    expect(val.fields.map((f) => f.path)).toEqual(['dataset.numValidation'])
    expect(await wb.listRuns()).toEqual([])
  })

  it('refuses a sweep whole when one of its runs asks too much, naming the swept param and the run', async () => {
    const wb = await workbench()
    const e = await refusal(
      wb.createSweep({
        name: 'splits',
        method: 'grid',
        base: { ...base, dataset: { name: 'fashion-mnist-small' } },
        params: { 'dataset.numTraining': { values: [1000, 5000, 9000] } },
      }),
    )
    expect(e.fields).toEqual([
      {
        path: 'params.dataset.numTraining',
        message:
          "run 3 of 3: numTraining (9000) + numValidation (600) exceed the 6000 training images of 'fashion-mnist-small' (validation images come from the training split)",
        issue: {
          code: 'trainSplitTooLarge',
          dataset: 'fashion-mnist-small',
          numTraining: 9000,
          numValidation: 600,
          available: 6000,
        },
      },
    ])
    expect(await wb.listRuns()).toEqual([])
    expect(await readdir(join(wb.store.runsDir, '..')).then((n) => n.includes('sweeps'))).toBe(false)
  })

  it('refuses a batch larger than the training split of a new run, naming solver.batchSize', async () => {
    const wb = await workbench()
    const e = await refusal(
      wb.createRun({
        ...base,
        dataset: { name: 'fashion-mnist-small', numTraining: 500 },
        solver: { numEpochs: 1, batchSize: 501 },
      }),
    )
    expect(e.code).toBe('invalid-config')
    expect(e.fields).toEqual([
      {
        path: 'solver.batchSize',
        message: 'batchSize (501) exceeds the 500 training images this run uses',
        issue: { code: 'batchTooLarge', batchSize: 501, numTraining: 500 },
      },
    ])
    // The default split of the embedded set: 5400 training images.
    const sweep = await refusal(
      wb.createSweep({
        name: 'batches',
        method: 'grid',
        base: { ...base, dataset: { name: 'fashion-mnist-small' } },
        params: { 'solver.batchSize': { values: [100, 6000] } },
      }),
    )
    expect(sweep.fields.map((f) => [f.path, f.issue?.code])).toEqual([
      ['params.solver.batchSize', 'batchTooLarge'],
    ])
    expect(await wb.listRuns()).toEqual([])
    // As large as the split is fine.
    const ok = await wb.createRun({
      ...base,
      dataset: { name: 'fashion-mnist-small', numTraining: 500 },
      solver: { numEpochs: 1, batchSize: 500 },
    })
    expect(ok.status).toBe('queued')
    await wb.cancel(ok.id)
  })

  it('answers schema errors with their issue, for the UI to word', async () => {
    const wb = await workbench()
    const e = await refusal(
      wb.createRun({ ...base, dataset: { name: 'fashion-mnist-small' }, solver: { batchSize: 0 } }),
    )
    expect(e.fields).toEqual([
      {
        path: 'solver.batchSize',
        message: 'Too small: expected number to be >0',
        issue: {
          code: 'number',
          integer: true,
          min: { value: 1, inclusive: true },
          max: { value: 65536, inclusive: true },
        },
      },
    ])
  })
})
