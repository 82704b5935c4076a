import { describe, expect, it } from 'vitest'
import { allowedHosts, cookieValue, isLoopbackHost, newToken, tokenMatches, TOKEN_PATTERN } from './auth'

describe('auth helpers', () => {
  it('makes 32-byte hex tokens that fit the token pattern', () => {
    const a = newToken()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(TOKEN_PATTERN.test(a)).toBe(true)
    expect(newToken()).not.toBe(a)
  })

  it('compares tokens exactly, whatever the length', () => {
    expect(tokenMatches('abcdefgh', 'abcdefgh')).toBe(true)
    expect(tokenMatches('abcdefgH', 'abcdefgh')).toBe(false)
    expect(tokenMatches('abcdefg', 'abcdefgh')).toBe(false)
    expect(tokenMatches('abcdefghi', 'abcdefgh')).toBe(false)
    expect(tokenMatches('', 'abcdefgh')).toBe(false)
    expect(tokenMatches(null, 'abcdefgh')).toBe(false)
    expect(tokenMatches(undefined, 'abcdefgh')).toBe(false)
  })

  it('reads one cookie among others', () => {
    expect(cookieValue('a=1; wb_token=xyz; b=2', 'wb_token')).toBe('xyz')
    expect(cookieValue('wb_tokenx=1; xwb_token=2', 'wb_token')).toBeNull()
    expect(cookieValue(undefined, 'wb_token')).toBeNull()
    expect(cookieValue('wb_token=%zz', 'wb_token')).toBe('%zz')
  })

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) {
      expect(isLoopbackHost(h), h).toBe(true)
    }
    for (const h of [
      '0.0.0.0',
      '::',
      '192.168.1.2',
      'example.com',
      '127.0.0.1.evil.com',
      'localhost.evil.com',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false)
    }
  })

  it('allows Host names of this server only, and any for an allowed remote server', () => {
    expect([...allowedHosts('127.0.0.1', 8080, false)!].sort()).toEqual(['127.0.0.1:8080', 'localhost:8080'])
    expect(allowedHosts('::1', 8080, false)!.has('[::1]:8080')).toBe(true)
    expect(allowedHosts('127.0.0.1', 80, false)!.has('localhost')).toBe(true)
    expect(allowedHosts('0.0.0.0', 8080, true)).toBeNull()
  })
})
