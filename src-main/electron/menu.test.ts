import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { menuTemplate, type MenuOptions } from './menu'

function options(over: Partial<MenuOptions> = {}): MenuOptions {
  return {
    appName: 'Workbench',
    isMac: false,
    isDev: false,
    sendToRenderer: vi.fn(),
    showAbout: vi.fn(),
    openDataDir: vi.fn(),
    openLogsDir: vi.fn(),
    ...over,
  }
}

/** Every item, depth first, so tests can look for roles and labels anywhere. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])])
}

describe('menuTemplate', () => {
  it('has File, Edit, View, Window and Help, with Quit under File off macOS', () => {
    const t = menuTemplate(options())
    expect(t.map((i) => i.label ?? i.role)).toEqual(['&File', 'editMenu', '&View', 'windowMenu', 'help'])
    expect(items(t).some((i) => i.role === 'quit')).toBe(true)
  })

  it('puts the app menu first on macOS, where it holds Quit', () => {
    const t = menuTemplate(options({ isMac: true }))
    expect(t[0]).toMatchObject({ role: 'appMenu' })
    expect(items(t).filter((i) => i.role === 'quit')).toHaveLength(0)
  })

  it('offers reload and DevTools only in development; zoom always', () => {
    const roles = (o: MenuOptions) => items(menuTemplate(o)).map((i) => i.role)
    expect(roles(options())).not.toEqual(expect.arrayContaining(['reload']))
    expect(roles(options())).not.toContain('toggleDevTools')
    expect(roles(options())).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom']))
    expect(roles(options({ isDev: true }))).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']))
  })

  it('sends New Run to the renderer as a whitelisted menu event and wires About and the data folder', () => {
    const o = options()
    const all = items(menuTemplate(o))
    const click = (label: RegExp) => {
      const item = all.find((i) => label.test(i.label ?? ''))
      ;(item?.click as (() => void) | undefined)?.()
    }
    click(/^New Run/)
    click(/^About/)
    click(/Data Folder/)
    expect(o.sendToRenderer).toHaveBeenCalledWith('menu:new-run')
    expect(o.showAbout).toHaveBeenCalledOnce()
    expect(o.openDataDir).toHaveBeenCalledOnce()
    expect(all.find((i) => i.label?.startsWith('New Run'))?.accelerator).toBe('CmdOrCtrl+N')
  })

  it('opens the logs folder from the Help menu', () => {
    const o = options()
    const help = menuTemplate(o).find((i) => i.role === 'help')
    const item = items([help!]).find((i) => i.label === 'Open Logs Folder')
    ;(item?.click as (() => void) | undefined)?.()
    expect(o.openLogsDir).toHaveBeenCalledOnce()
  })
})
