/**
 * One Content-Security-Policy, stated in three places: the `<meta>` of the renderer's index.html (what the
 * page enforces wherever it is loaded), the browser-mode server's header and the Electron window's header.
 * Both a meta and a header policy apply at once, so any difference would silently tighten one of them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PAGE_POLICY, parsePolicy } from '../../src-shared/csp'
import { contentSecurityPolicy } from '../electron/security'
import { CONTENT_SECURITY_POLICY } from './headers'

const INDEX = join(__dirname, '../../src-renderer/index.html')

function metaPolicy(): string {
  const html = readFileSync(INDEX, 'utf8')
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i.exec(html)
  if (!m) throw new Error(`${INDEX} has no Content-Security-Policy <meta>`)
  return m[1]!
}

/** A header policy without what a `<meta>` cannot carry. */
function metaPart(policy: string): Map<string, string[]> {
  const p = parsePolicy(policy)
  p.delete('frame-ancestors')
  return p
}

describe('the Content-Security-Policy', () => {
  it('is the same in the renderer’s <meta>, the browser-mode header and the Electron header', () => {
    expect(metaPolicy()).toBe(PAGE_POLICY)
    expect(metaPart(CONTENT_SECURITY_POLICY)).toEqual(parsePolicy(metaPolicy()))
    const electron = contentSecurityPolicy({ kind: 'app', url: 'app://workbench/index.html' })
    expect(electron).toBe(CONTENT_SECURITY_POLICY)
  })

  it("forbids form submissions and framing, and keeps scripts and connections to the page's own origin", () => {
    for (const policy of [metaPolicy(), CONTENT_SECURITY_POLICY]) {
      const p = parsePolicy(policy)
      expect(p.get('form-action')).toEqual(["'none'"])
      expect(p.get('script-src')).toEqual(["'self'"])
      expect(p.get('connect-src')).toEqual(["'self'"])
      expect(p.get('object-src')).toEqual(["'none'"])
      expect(p.get('base-uri')).toEqual(["'none'"])
    }
    expect(parsePolicy(CONTENT_SECURITY_POLICY).get('frame-ancestors')).toEqual(["'none'"])
  })
})
