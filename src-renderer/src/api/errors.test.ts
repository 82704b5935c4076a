import { describe, expect, it } from 'vitest'
import { ApiCallError, toApiError } from './errors'

describe('toApiError', () => {
  it('keeps the code and fields of the preload’s plain-object rejections', () => {
    const e = toApiError({
      name: 'ApiError',
      code: 'invalid-config',
      message: 'bad',
      fields: [{ path: 'name', message: 'required' }],
    })
    expect(e).toBeInstanceOf(ApiCallError)
    expect(e).toBeInstanceOf(Error)
    expect(e.code).toBe('invalid-config')
    expect(e.message).toBe('bad')
    expect(e.fields).toEqual([{ path: 'name', message: 'required' }])
  })

  it('strips Electron’s invoke prefix and unpacks a JSON ApiError in the message', () => {
    const plain = toApiError(new Error("Error invoking remote method 'runs.get': Error: no run x"))
    expect(plain.code).toBe('internal')
    expect(plain.message).toBe('no run x')
    const json = toApiError(
      new Error(
        `Error invoking remote method 'runs.get': ${JSON.stringify({ code: 'not-found', message: 'no run x' })}`,
      ),
    )
    expect(json.code).toBe('not-found')
  })

  it('wraps anything else', () => {
    expect(toApiError('boom')).toMatchObject({ code: 'internal', message: 'boom' })
    const same = new ApiCallError({ code: 'x', message: 'y' })
    expect(toApiError(same)).toBe(same)
  })
})
