import { describe, expect, it } from 'vitest'
import { defaultDataDir } from './dataDir'

describe('defaultDataDir', () => {
  it('prefers WORKBENCH_DATA_DIR on every platform', () => {
    expect(defaultDataDir({ WORKBENCH_DATA_DIR: '/srv/wb' }, 'darwin', '/Users/me')).toBe('/srv/wb')
  })

  it('uses XDG_DATA_HOME on Linux, else ~/.local/share; a relative XDG_DATA_HOME is ignored', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/me')).toBe('/data/workbench')
    expect(defaultDataDir({}, 'linux', '/home/me')).toBe('/home/me/.local/share/workbench')
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel' }, 'linux', '/home/me')).toBe(
      '/home/me/.local/share/workbench',
    )
  })

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    expect(defaultDataDir({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Application Support/Workbench')
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32', 'C:\\Users\\me')).toBe(
      'C:\\Users\\me\\AppData\\Roaming\\Workbench',
    )
    expect(defaultDataDir({}, 'win32', 'C:\\Users\\me')).toBe('C:\\Users\\me\\AppData\\Roaming\\Workbench')
  })
})
