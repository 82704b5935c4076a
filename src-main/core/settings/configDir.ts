/**
 * The platform's per-user config folder for the settings file, the same for the desktop app and
 * `workbench serve` (so neither depends on Electron's idea of the app's name): `$WORKBENCH_CONFIG_DIR`
 * if set, else `$XDG_CONFIG_HOME/workbench` or `~/.config/workbench` on Linux,
 * `~/Library/Application Support/Workbench` on macOS and `%APPDATA%\Workbench` on Windows.
 */
import { homedir } from 'node:os'
import { posix, resolve, win32 } from 'node:path'

export const CONFIG_DIR_ENV = 'WORKBENCH_CONFIG_DIR'
export const SETTINGS_FILE = 'settings.json'

export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const explicit = env[CONFIG_DIR_ENV]
  if (explicit) return resolve(explicit)
  if (platform === 'win32')
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Workbench')
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Workbench')
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = env.XDG_CONFIG_HOME
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config'), 'workbench')
}
