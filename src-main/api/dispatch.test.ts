import { describe, expect, it, vi } from 'vitest'
import type { Workbench } from '../core/workbench'
import { WorkbenchError } from '../core/errors'
import { dispatch } from './dispatch'
import { createHandlers } from './handlers'

function handlers(listRuns: () => Promise<unknown>) {
  return createHandlers(
    { listRuns, queueState: () => ({ running: [], queued: [] }) } as unknown as Workbench,
    {
      mode: 'browser',
      dataDir: '/d',
      examplesDir: '/nonexistent',
    },
  )
}

describe('dispatch', () => {
  it('returns results', async () => {
    const h = handlers(async () => [])
    expect(await dispatch(h, 'runs.list', [])).toEqual({ ok: true, result: [] })
  })

  it('refuses unknown methods, inherited names included, and args that are not an array', async () => {
    const h = handlers(async () => [])
    for (const m of ['nope', 'toString', '__proto__', 'constructor', 1, null]) {
      expect(await dispatch(h, m, [])).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    }
    expect(await dispatch(h, 'runs.list', 'x')).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', fields: [{ path: 'args' }] },
    })
  })

  it('turns throws into ApiErrors and reports only unexpected ones', async () => {
    const report = vi.fn()
    const known = handlers(async () => {
      throw new WorkbenchError('conflict', 'busy')
    })
    expect(await dispatch(known, 'runs.list', [], report)).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'busy' },
    })
    expect(report).not.toHaveBeenCalled()
    const bug = handlers(async () => {
      throw new TypeError('x is undefined')
    })
    expect(await dispatch(bug, 'runs.list', [], report)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'x is undefined' },
    })
    expect(report).toHaveBeenCalledWith('runs.list', expect.any(TypeError))
  })
})
