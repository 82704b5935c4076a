/** One browser's WebSocket: calls in, results and errors out, each answered when its handler finishes. */
import type { ServerFrame } from '../../src-shared/contract'
import { dispatch } from '../api/dispatch'
import { resultFrameJson } from '../api/frameJson'
import type { Handlers } from '../api/handlers'
import { parseFrame } from './frames'
import type { RawData, WebSocket } from 'ws'

export function serveConnection(ws: WebSocket, handlers: Handlers): void {
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const parsed = parseFrame(toBuffer(data), isBinary)
    if (!parsed.ok) {
      send(ws, parsed.reply)
      return
    }
    const { id, method, args } = parsed.frame
    void dispatch(handlers, method, args).then((r) =>
      send(ws, r.ok ? { id, result: r.result } : { id, error: r.error }),
    )
  })
  // A socket error (a reset, a protocol violation) ends this connection only; ws closes it.
  ws.on('error', () => undefined)
}

export function send(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState !== ws.OPEN) return
  let text: string
  try {
    text = 'result' in frame ? resultFrameJson(frame.id, frame.result) : JSON.stringify(frame)
  } catch (e) {
    if (!('id' in frame)) return
    const message = `the result could not be serialized: ${e instanceof Error ? e.message : String(e)}`
    text = JSON.stringify({ id: frame.id, error: { code: 'internal', message } } satisfies ServerFrame)
  }
  ws.send(text)
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
