/**
 * The contract over IPC: one `ipcMain.handle` per method in METHODS. Every call first proves it comes
 * from our window's top frame showing the app; then the shared dispatcher validates and runs it. Failures
 * come back as an `{ __apiError }` value, since Electron would keep only the message of a thrown error.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { METHODS, type ApiError } from '../../src-shared/contract'
import { dispatch } from '../api/dispatch'
import type { Handlers } from '../api/handlers'
import { API_ERROR_KEY, EVENT_CHANNEL, type IpcErrorEnvelope, type PushEventName } from './channels'
import { isTrustedSender, type AppLocation, type SenderInfo } from './security'

/** The window allowed to call, and what it must be showing; null while there is none. */
export interface IpcTarget {
  webContents: WebContents
  app: AppLocation
}

/** Where refusals and internal failures are reported: the app's log file. */
export interface IpcLog {
  warn(message: string): void
  error(message: string): void
}

const consoleLog: IpcLog = {
  warn: (m) => console.warn(`workbench: ${m}`),
  error: (m) => console.error(`workbench: ${m}`),
}

/** Registers the handlers; `handlers` may still be opening (calls wait for it). Returns an unregister. */
export function registerIpc(
  handlers: Promise<Handlers>,
  target: () => IpcTarget | null,
  log: IpcLog = consoleLog,
): () => void {
  for (const method of METHODS) {
    ipcMain.handle(method, async (event, ...args: unknown[]) => {
      const t = target()
      const trusted =
        t && !t.webContents.isDestroyed() ? { webContentsId: t.webContents.id, app: t.app } : null
      if (!isTrustedSender(senderInfo(event), trusted)) {
        log.warn(`refused ${method} from a sender that is not the app's window`)
        return envelope({
          code: 'forbidden',
          message: `${method}: only the app's own window may call the API`,
        })
      }
      let ready: Handlers
      try {
        ready = await handlers
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        return envelope({
          code: 'unavailable',
          message: `the workbench could not open its data folder: ${message}`,
        })
      }
      const r = await dispatch(ready, method, args)
      if (r.ok) return r.result
      if (r.error.code === 'internal') log.error(`${method} failed: ${r.error.message}`)
      return envelope(r.error)
    })
  }
  return () => {
    for (const method of METHODS) ipcMain.removeHandler(method)
  }
}

/** Pushes an event to the window; a window closing meanwhile just misses it. */
export function pushEvent(webContents: WebContents | null, name: PushEventName, payload?: unknown): void {
  if (!webContents || webContents.isDestroyed()) return
  webContents.send(EVENT_CHANNEL, name, payload)
}

function senderInfo(event: IpcMainInvokeEvent): SenderInfo {
  let frame: SenderInfo['frame'] = null
  try {
    const f = event.senderFrame
    if (f) frame = { url: f.url, isMainFrame: f.parent === null }
  } catch {
    // A frame disposed since it sent the message throws on access: it is not trusted any more.
  }
  return { webContentsId: event.sender.id, frame }
}

function envelope(error: ApiError): IpcErrorEnvelope {
  return { [API_ERROR_KEY]: error }
}
