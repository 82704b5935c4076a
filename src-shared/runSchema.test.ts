import { describe, expect, it } from 'vitest'
import { corruptRun, isCorrupt, readableRuns } from './corruptRun'
import { describeFieldErrors, parseRunRecord } from './runSchema'

/** A run.json as `workbench run examples/seed-two-layer.json` wrote it (checks from `workbench check`). */
function completedRun(): Record<string, unknown> {
  return {
    id: '20261201-214156-h1x3wu',
    config: {
      version: 1,
      name: 'Seed: two-layer net',
      tags: ['seed'],
      notes: "CS231n's default two-layer run",
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: 50, weightScale: 0.001, reg: 0 },
      solver: {
        updateRule: 'sgd',
        optimConfig: { learningRate: 0.001 },
        lrDecay: 0.95,
        batchSize: 100,
        numEpochs: 10,
        numTrainSamples: 1000,
        numValSamples: null,
      },
      seed: 2037652156,
    },
    status: 'completed',
    sweepId: null,
    createdAt: '2026-12-01T21:41:56.137Z',
    startedAt: '2026-12-01T21:41:56.197Z',
    finishedAt: '2026-12-01T21:41:57.481Z',
    progress: { iteration: 540, numIterations: 540, epoch: 10, numEpochs: 10 },
    result: {
      bestValAcc: 0.8416666666666667,
      finalTrainAcc: 0.866,
      finalValAcc: 0.8416666666666667,
      valAcc: 0.8416666666666667,
      testAcc: 0.835,
      confusion: [
        [85, 0, 1],
        [0, 101, 0],
        [2, 1, 88],
      ],
      classNames: ['T-shirt/top', 'Trouser', 'Pullover'],
    },
    error: null,
    environment: {
      backend: 'native',
      library: 'OpenBLAS 0.3.21',
      core: 'Haswell',
      coreSource: 'env',
      blasThreads: 1,
      fallbackReason: null,
      workbench: '0.1.0',
      node: 'v20.20.2',
      platform: 'linux 6.18.44',
      cpu: 'AMD EPYC x2',
    },
    checkpointEpoch: 10,
    owner: null,
    checks: {
      version: 1,
      passed: true,
      seed: 3136129610,
      ranAt: '2026-12-01T21:42:06.083Z',
      ms: 144,
      checks: [
        {
          name: 'initial-loss',
          passed: true,
          measured: { loss: 2.3076925911968744 },
          expected: { loss: 2.302585092994046, tolerance: 0.34538776394910686 },
          message: 'initial loss 2.308 is close to ln(10) = 2.303',
          ms: 57,
        },
        {
          name: 'gradient',
          passed: true,
          measured: { worstRelError: null },
          expected: { maxRelError: 0.00001 },
          message: 'analytic and numerical gradients agree',
          params: [{ name: 'W1', checked: 10, relError: 1.9661268195222776e-9, passed: true }],
          ms: 26,
        },
      ],
      source: 'request',
    },
  }
}

/** The oldest shape a run.json has had (the first run store): no owner, no checks. */
function oldestRun(): Record<string, unknown> {
  const r = completedRun()
  delete r.owner
  delete r.checks
  return { ...r, status: 'interrupted', result: null, environment: null, checkpointEpoch: 3 }
}

function errorsOf(value: unknown): { path: string; message: string }[] {
  const r = parseRunRecord(value)
  if (r.ok) throw new Error('expected the record to fail')
  return r.errors
}

describe('RunRecordSchema', () => {
  it('accepts a record as the core writes it, and the oldest shape', () => {
    const done = parseRunRecord(completedRun())
    expect(done.ok && done.value).toEqual(completedRun())
    const old = parseRunRecord(oldestRun())
    expect(old.ok && old.value).toEqual(oldestRun())
  })

  it('fills config defaults, as a config given by a user gets them', () => {
    const r = completedRun()
    r.config = { name: 'short', dataset: { name: 'cifar10' }, model: { kind: 'fc' }, seed: 1 }
    const parsed = parseRunRecord(r)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const config = parsed.value.config
    expect(config.model).toEqual({
      kind: 'fc',
      hiddenDims: [100, 100],
      normalization: null,
      dropoutKeepRatio: 1,
      weightScale: 1e-2,
      reg: 0,
    })
    expect(config.solver.batchSize).toBe(100)
    expect(config.tags).toEqual([])
  })

  it('keeps fields it does not know, at the top and inside', () => {
    const r = completedRun()
    r.addedLater = { x: 1 }
    ;(r.progress as Record<string, unknown>).phase = 'checks'
    ;(r.environment as Record<string, unknown>).gpu = 'none'
    const parsed = parseRunRecord(r)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const value = parsed.value as unknown as Record<string, unknown>
    expect(value.addedLater).toEqual({ x: 1 })
    expect(value.progress).toMatchObject({ phase: 'checks' })
    expect(value.environment).toMatchObject({ gpu: 'none' })
  })

  it('accepts the fields other features add: owner identity, active time, attempt start, memory and storage errors', () => {
    const r = {
      ...completedRun(),
      status: 'failed',
      owner: { pid: 4242, host: 'box', startTime: 1764625316000, bootId: 'b0a1-c2' },
      activeMs: 5230,
      attemptStartedAt: '2026-12-01T21:41:56.197Z',
      updatedAt: '2026-12-01T21:41:57.481Z',
      error: { reason: 'storage', message: 'the disk holding /data is full: free space and resume' },
    }
    expect(parseRunRecord(r).ok).toBe(true)
    for (const owner of [
      { pid: 1, host: 'h' },
      { pid: 1, host: 'h', startTime: 'Mon 01 Dec 2026 21:41:56', bootId: null },
      { pid: 1, host: 'h', startTime: null },
      null,
    ]) {
      expect(parseRunRecord({ ...r, owner }).ok).toBe(true)
    }
    expect(parseRunRecord({ ...r, error: { reason: 'memory', message: 'out of memory' } }).ok).toBe(true)
    expect(parseRunRecord({ ...r, attemptStartedAt: null }).ok).toBe(true)
  })

  it('names each field of the damaged records the issue measured', () => {
    const noDataset = completedRun()
    delete (noDataset.config as Record<string, unknown>).dataset
    expect(errorsOf(noDataset)).toEqual([
      { path: 'config.dataset', message: expect.stringMatching(/object/) },
    ])

    const noModel = completedRun()
    delete (noModel.config as Record<string, unknown>).model
    expect(errorsOf(noModel).map((e) => e.path)).toEqual(['config.model'])

    const nullName = completedRun()
    ;(nullName.config as Record<string, unknown>).name = null
    expect(errorsOf(nullName)).toEqual([{ path: 'config.name', message: expect.stringMatching(/string/) }])
  })

  it('refuses wrong types anywhere it looks', () => {
    const cases: [string, (r: Record<string, unknown>) => void][] = [
      ['status', (r) => (r.status = 'done')],
      ['progress.iteration', (r) => ((r.progress as Record<string, unknown>).iteration = -1)],
      ['result.confusion.0.1', (r) => (((r.result as { confusion: unknown[][] }).confusion[0]![1] = 'x'), r)],
      ['error', (r) => (r.error = 'boom')],
      ['environment.backend', (r) => ((r.environment as Record<string, unknown>).backend = 'gpu')],
      ['checkpointEpoch', (r) => delete r.checkpointEpoch],
      ['checks.checks.0.name', (r) => ((r.checks as { checks: { name: string }[] }).checks[0]!.name = 'x')],
      ['owner.pid', (r) => (r.owner = { pid: '12', host: 'h' })],
      ['createdAt', (r) => (r.createdAt = 17)],
      [
        'config.solver.batchSize',
        (r) => ((r.config as { solver: { batchSize: number } }).solver.batchSize = 0),
      ],
    ]
    for (const [path, damage] of cases) {
      const r = completedRun()
      damage(r)
      expect(errorsOf(r).map((e) => e.path)).toContain(path)
    }
    expect(errorsOf([1, 2]).map((e) => e.path)).toEqual(['(record)'])
  })

  it('describes many errors in one bounded line', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ path: `f${i}`, message: 'bad' }))
    expect(describeFieldErrors(errors)).toBe('f0: bad; f1: bad; f2: bad; f3: bad; and 3 more')
    expect(describeFieldErrors(errors.slice(0, 2))).toBe('f0: bad; f1: bad')
  })
})

describe('corruptRun', () => {
  it('salvages the name, creation time and sweep when they have the right type', () => {
    const r = completedRun()
    ;(r.config as Record<string, unknown>).model = undefined
    r.sweepId = 'sweep-20261201-214156-abcdef'
    expect(corruptRun('20261201-214156-h1x3wu', '/d/run.json', 'config.model: bad', r)).toEqual({
      id: '20261201-214156-h1x3wu',
      status: 'corrupt',
      problem: { file: '/d/run.json', message: 'config.model: bad' },
      name: 'Seed: two-layer net',
      createdAt: '2026-12-01T21:41:56.137Z',
      sweepId: 'sweep-20261201-214156-abcdef',
    })
    const mangled = { config: { name: null }, createdAt: 5, sweepId: 3 }
    expect(corruptRun('x', 'f', 'm', mangled)).toEqual({
      id: 'x',
      status: 'corrupt',
      problem: { file: 'f', message: 'm' },
    })
    expect(corruptRun('x', 'f', 'not valid JSON')).toEqual({
      id: 'x',
      status: 'corrupt',
      problem: { file: 'f', message: 'not valid JSON' },
    })
  })

  it('tells corrupt entries from records', () => {
    const good = parseRunRecord(completedRun())
    if (!good.ok) throw new Error('fixture')
    const bad = corruptRun('x', 'f', 'm')
    expect(isCorrupt(bad)).toBe(true)
    expect(isCorrupt(good.value)).toBe(false)
    expect(readableRuns([bad, good.value])).toEqual([good.value])
  })
})
