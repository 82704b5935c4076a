/**
 * The renderer's Content-Security-Policy, written once for the three places that state it: the `<meta>` in
 * src-renderer/index.html (which a test holds to PAGE_POLICY), the browser-mode server's header and the
 * Electron window's header. The page may load only its own scripts and talk only to its own origin;
 * inline styles stay allowed because Vue's style bindings and the chart library set them. A header adds
 * what a `<meta>` policy cannot carry (frame-ancestors).
 */

/** [directive, sources] in the order they are written. `connect-src` is 'self' (extra sources may follow). */
const PAGE_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
]

/** Directives only a response header may carry (a `<meta>` policy ignores them). */
const HEADER_ONLY_DIRECTIVES: readonly (readonly [string, string])[] = [['frame-ancestors', "'none'"]]

function write(directives: readonly (readonly [string, string])[], extraConnect: readonly string[]): string {
  return directives
    .map(([name, sources]) =>
      name === 'connect-src' && extraConnect.length > 0
        ? `${name} ${sources} ${extraConnect.join(' ')}`
        : `${name} ${sources}`,
    )
    .join('; ')
}

/** The policy the `<meta>` of index.html holds, word for word. */
export const PAGE_POLICY = write(PAGE_DIRECTIVES, [])

/**
 * The header: the page policy plus the header-only directives. `extraConnect`: sources beyond 'self' the
 * page must reach (the dev server's HMR socket under `electron-vite dev`).
 */
export function headerPolicy(extraConnect: readonly string[] = []): string {
  return write([...PAGE_DIRECTIVES, ...HEADER_ONLY_DIRECTIVES], extraConnect)
}

/** A policy as a map from directive to its sources (tests compare policies by it). */
export function parsePolicy(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) out.set(name.toLowerCase(), sources)
  }
  return out
}
