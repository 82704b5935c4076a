/**
 * How a browser-mode page proves it may use the API, shared by the server and the renderer.
 *
 * The server prints `http://127.0.0.1:<port>/#token=<token>`. The fragment never leaves the browser (no
 * request line, no Referer, no server log); the page moves it into its tab's sessionStorage, which only
 * pages of this exact origin (scheme, host and port) can read, and strips it from the address bar. The
 * WebSocket then offers two subprotocols: WS_PROTOCOL, which the server echoes back, and
 * `WS_TOKEN_PROTOCOL_PREFIX + token`, which it checks and never echoes. Browsers cannot set other headers
 * on a WebSocket; Sec-WebSocket-Protocol is the one they let a page fill in. No cookie is involved:
 * cookies ignore ports, so every other server on 127.0.0.1 would receive (and could overwrite) one.
 */

/**
 * Tokens travel in a URL fragment and in a subprotocol name (an RFC 7230 token): only characters that need
 * no escaping in either. A browser's WebSocket constructor throws on anything else.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/

/** The subprotocol the server selects and echoes back: never the token. */
export const WS_PROTOCOL = 'workbench.v1'

/** The token travels as the offered subprotocol `workbench.token.<token>`. */
export const WS_TOKEN_PROTOCOL_PREFIX = 'workbench.token.'

/**
 * The close code of a socket whose token is missing or wrong (4000-4999 are the application's). The
 * handshake completes first so that the page can tell "wrong token" from "server down", which a refused
 * upgrade would not let it see.
 */
export const WS_CLOSE_UNAUTHORIZED = 4401

/** The URL fragment parameter that hands a page its token. */
export const TOKEN_FRAGMENT_PARAM = 'token'

/** The subprotocols a page offers for `token`. */
export function wsProtocols(token: string): string[] {
  return [WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX + token]
}
