import { describe, expect, it } from 'vitest'
import { DatasetsError } from '../core/datasets/errors'
import { WorkbenchError } from '../core/errors'
import { StoreError } from '../core/store/errors'
import { invalidArgument, toApiError } from './errors'

describe('toApiError', () => {
  it('keeps a WorkbenchError’s code, message and field errors', () => {
    const fields = [{ path: 'solver.batchSize', message: 'Too small' }]
    expect(toApiError(new WorkbenchError('invalid-config', 'invalid run config: …', fields))).toEqual({
      code: 'invalid-config',
      message: 'invalid run config: …',
      fields,
    })
    expect(toApiError(new WorkbenchError('conflict', 'run x is completed'))).toEqual({
      code: 'conflict',
      message: 'run x is completed',
    })
  })

  it('names the argument of store and datasets errors as a field', () => {
    expect(
      toApiError(new StoreError('not-found', 'id: no run 20261126-194501-ab12cd', { field: 'id' })),
    ).toEqual({
      code: 'not-found',
      message: 'id: no run 20261126-194501-ab12cd',
      fields: [{ path: 'id', message: 'no run 20261126-194501-ab12cd' }],
    })
    expect(toApiError(new StoreError('corrupt', '/x/run.json: not JSON', { file: '/x/run.json' }))).toEqual({
      code: 'corrupt',
      message: '/x/run.json: not JSON',
    })
    expect(toApiError(new DatasetsError('not-found', "no dataset named 'x'", { field: 'name' }))).toEqual({
      code: 'not-found',
      message: "no dataset named 'x'",
      fields: [{ path: 'name', message: "no dataset named 'x'" }],
    })
  })

  it('reduces anything else to internal, with the message and no stack', () => {
    const e = new TypeError('boom')
    const api = toApiError(e)
    expect(api).toEqual({ code: 'internal', message: 'boom' })
    expect(JSON.stringify(api)).not.toContain('at ')
    expect(toApiError('plain')).toEqual({ code: 'internal', message: 'plain' })
    expect(toApiError({ code: 'not-found', stack: 'x' })).toEqual({
      code: 'internal',
      message: 'unexpected error',
    })
    expect(toApiError(new Error(''))).toEqual({ code: 'internal', message: 'unexpected error' })
  })

  it('invalidArgument names the argument in the message and the field', () => {
    expect(toApiError(invalidArgument('index', 'must be a non-negative integer, got -1'))).toEqual({
      code: 'invalid-argument',
      message: 'index: must be a non-negative integer, got -1',
      fields: [{ path: 'index', message: 'must be a non-negative integer, got -1' }],
    })
  })
})
