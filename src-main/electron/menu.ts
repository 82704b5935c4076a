/**
 * The application menu as a template (type-only Electron import, so it is tested in plain Node). Actions
 * that belong to the UI (a new-run form) are pushed to the renderer as whitelisted menu events; the rest
 * are Electron roles or main-process actions.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { MenuEventName } from './channels'

export interface MenuOptions {
  appName: string
  isMac: boolean
  /** Reload and DevTools only while developing: a user's reload would only lose the view's state. */
  isDev: boolean
  sendToRenderer: (event: MenuEventName) => void
  showAbout: () => void
  openDataDir: () => void
  /** The folder of the log files and crash reports. */
  openLogsDir: () => void
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = []
  if (o.isMac) template.push({ role: 'appMenu', label: o.appName })
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'New Run…', accelerator: 'CmdOrCtrl+N', click: () => o.sendToRenderer('menu:new-run') },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => o.openDataDir() },
        // On macOS Quit lives in the app menu.
        ...(o.isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    // Without an Edit menu, copy and paste shortcuts do not work in text fields on macOS.
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(o.isDev
          ? [
              { role: 'reload' } as const,
              { role: 'forceReload' } as const,
              { role: 'toggleDevTools' } as const,
              { type: 'separator' } as const,
            ]
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'Open Logs Folder', click: () => o.openLogsDir() },
        { type: 'separator' },
        { label: `About ${o.appName}`, click: () => o.showAbout() },
      ],
    },
  )
  return template
}
