/** The main window: sandboxed renderer with the preload bridge only, and its remembered bounds. */
import { BrowserWindow, screen } from 'electron'
import type { AppLocation } from './security'
import {
  MIN_SIZE,
  stateToSave,
  writeWindowState,
  type InitialWindowState,
  type SavedWindowState,
} from './windowState'

export interface MainWindowOptions {
  preload: string
  /** The built renderer over app:// (appProtocol.ts), or the dev server. */
  app: AppLocation
  state: InitialWindowState
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const { state } = o
  const win = new BrowserWindow({
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Workbench',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize()
    win.show()
  })
  void win.loadURL(o.app.kind === 'dev' ? o.app.origin : o.app.url)
  return win
}

/** Brings the window forward, e.g. when a second launch hands over to this instance. */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}

export interface WindowStateTracker {
  /** Saves the window's current state (if it still has one) and waits for every pending write. */
  flush(): Promise<void>
}

/**
 * Saves the bounds shortly after each move or resize (a crash keeps the latest) and when the window
 * closes. Writes are serialised, so an older state never lands after a newer one.
 */
export function trackWindowState(win: BrowserWindow, file: string): WindowStateTracker {
  let writes: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | null = null
  let last = ''
  const save = () => {
    if (timer) clearTimeout(timer)
    timer = null
    if (win.isDestroyed() || win.isMinimized()) return
    const s: SavedWindowState | null = stateToSave(win.getNormalBounds(), win.isMaximized())
    const json = JSON.stringify(s)
    if (!s || json === last) return
    last = json
    writes = writes
      .then(() => writeWindowState(file, s))
      .catch((e: unknown) => console.warn(`workbench: could not save the window state: ${String(e)}`))
  }
  const later = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(save, 500)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('maximize', later)
  win.on('unmaximize', later)
  win.on('close', save)
  return {
    flush: async () => {
      save()
      await writes
    },
  }
}

/** The work areas of the connected displays, for validating a saved position (primary first). */
export function workAreas(): { x: number; y: number; width: number; height: number }[] {
  const primary = screen.getPrimaryDisplay()
  return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea)
}
