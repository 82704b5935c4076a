import { describe, expect, it, vi } from 'vitest'
import type { ApiError } from '../../src-shared/contract'
import type { SanityReport } from '../../src-shared/sanity'
import { WorkbenchError } from '../core/errors'
import { createCheckHandlers } from './checkHandlers'
import { toApiError } from './errors'

const REPORT = { version: 1, passed: true, seed: 1, checks: [] } as unknown as SanityReport

function handlers(check = vi.fn(async (_config: unknown) => REPORT)) {
  return { h: createCheckHandlers({ check }), check }
}

const failure = (p: Promise<unknown>): Promise<ApiError | null> => p.then(() => null, toApiError)

describe('checks.run', () => {
  it('hands a config object to the core and returns its report', async () => {
    const { h, check } = handlers()
    const config = { name: 'x', dataset: { name: 'd' }, model: { kind: 'two-layer' } }
    await expect(h['checks.run'](config)).resolves.toBe(REPORT)
    expect(check).toHaveBeenCalledWith(config)
  })

  it.each([null, undefined, 'config', 3, true, [], [{ name: 'x' }]])(
    'refuses %j before the core sees it',
    async (bad) => {
      const { h, check } = handlers()
      const e = await failure(h['checks.run'](bad))
      expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'config' }] })
      expect(check).not.toHaveBeenCalled()
    },
  )

  it('refuses a missing config and extra arguments', async () => {
    const { h, check } = handlers()
    expect(await failure(h['checks.run']())).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'config' }],
    })
    expect(await failure(h['checks.run']({}, 1))).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'args' }],
    })
    expect(check).not.toHaveBeenCalled()
  })

  it("passes the core's field errors through", async () => {
    const fields = [{ path: 'model.weightScale', message: 'Too small' }]
    const { h } = handlers(
      vi.fn(async () => {
        throw new WorkbenchError('invalid-config', 'invalid run config: model.weightScale: Too small', fields)
      }),
    )
    expect(await failure(h['checks.run']({}))).toEqual({
      code: 'invalid-config',
      message: 'invalid run config: model.weightScale: Too small',
      fields,
    })
  })
})
