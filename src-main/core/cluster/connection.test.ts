import { describe, expect, it } from 'vitest'
import { describeRedisError, parseRedisUrl } from './connection'

describe('cluster address', () => {
  it('reads host, port, database, user and password; TLS for rediss://; masks the password', () => {
    const r = parseRedisUrl('rediss://alice:p%40ss@redis.lab:6380/2', {})
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.options).toMatchObject({
      host: 'redis.lab',
      port: 6380,
      db: 2,
      username: 'alice',
      password: 'p@ss',
    })
    expect(r.value.options.tls).toEqual({ servername: 'redis.lab' })
    expect(r.value.options.maxRetriesPerRequest).toBeNull()
    expect(r.value.display).toBe('rediss://alice:***@redis.lab:6380/2')
    expect(r.value.display).not.toContain('p@ss')
  })

  it('takes the password from $WORKBENCH_REDIS_PASSWORD when the URL has none', () => {
    const r = parseRedisUrl('redis://10.0.0.5', { WORKBENCH_REDIS_PASSWORD: 's3cret' })
    expect(r.ok && r.value.options).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, password: 's3cret' })
    expect(r.ok && r.value.options.tls).toBeUndefined()
    expect(r.ok && r.value.display).toBe('redis://:***@10.0.0.5')
  })

  it('refuses what is not a Redis URL, saying what was expected', () => {
    expect(parseRedisUrl('http://x', {})).toEqual({
      ok: false,
      message: expect.stringMatching(/redis:\/\/ or rediss:\/\//),
    })
    expect(parseRedisUrl('nonsense', {})).toEqual({ ok: false, message: expect.stringMatching(/not a URL/) })
    expect(parseRedisUrl('redis://h/99', {})).toEqual({
      ok: false,
      message: expect.stringMatching(/0 to 15/),
    })
    expect(parseRedisUrl('redis://h?password=x', {})).toEqual({
      ok: false,
      message: expect.stringMatching(/no query/),
    })
  })

  it('words connection errors for a person, without the password', () => {
    expect(
      describeRedisError(new Error('WRONGPASS invalid username-password pair'), 'redis://:***@h:1'),
    ).toMatch(/refused the password/)
    expect(
      describeRedisError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'redis://h:1'),
    ).toMatch(/cannot be reached \(ECONNREFUSED\); waiting/)
  })
})
