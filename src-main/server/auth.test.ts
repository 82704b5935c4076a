import { describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import { WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX, wsProtocols } from '../../src-shared/browserAuth'
import {
  allowedHosts,
  isLoopbackHost,
  newToken,
  offeredProtocols,
  socketAuth,
  tokenMatches,
  TOKEN_PATTERN,
} from './auth'

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

  it('reads the offered subprotocols in order', () => {
    const req = (v?: string) => ({ headers: { 'sec-websocket-protocol': v } }) as unknown as IncomingMessage
    expect(offeredProtocols(req('workbench.v1, workbench.token.abc'))).toEqual([
      'workbench.v1',
      'workbench.token.abc',
    ])
    expect(offeredProtocols(req(' a ,, b '))).toEqual(['a', 'b'])
    expect(offeredProtocols(req(undefined))).toEqual([])
  })

  it('accepts a socket only with the protocol and exactly one matching token protocol', () => {
    const token = 'abcdefgh-123'
    expect(socketAuth(wsProtocols(token), token)).toBe('ok')
    expect(socketAuth([WS_TOKEN_PROTOCOL_PREFIX + token, WS_PROTOCOL], token)).toBe('ok')
    expect(socketAuth([WS_TOKEN_PROTOCOL_PREFIX + token], token)).toBe('no-protocol')
    expect(socketAuth([], token)).toBe('no-protocol')
    expect(socketAuth([WS_PROTOCOL], token)).toBe('unauthorized')
    expect(socketAuth(wsProtocols('abcdefgh-124'), token)).toBe('unauthorized')
    expect(socketAuth([WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX], token)).toBe('unauthorized')
    // A guess alongside the right one is no way around the check.
    expect(socketAuth([...wsProtocols(token), WS_TOKEN_PROTOCOL_PREFIX + 'x'], token)).toBe('unauthorized')
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
