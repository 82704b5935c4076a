/**
 * Where the CLI keeps runs and datasets when no --data-dir is given: WORKBENCH_DATA_DIR, else the
 * platform's per-user data folder, so runs started from a terminal are found again from any directory.
 */
import { homedir } from 'node:os'
import { posix, resolve, win32 } from 'node:path'

export const DATA_DIR_ENV = 'WORKBENCH_DATA_DIR'

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const explicit = env[DATA_DIR_ENV]
  if (explicit) return resolve(explicit)
  // Joined with the target platform's rules (not the host's) so the result is right in tests on any OS.
  if (platform === 'win32')
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Workbench')
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Workbench')
  // The XDG spec says to ignore a relative XDG_DATA_HOME.
  const xdg = env.XDG_DATA_HOME
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.local', 'share'), 'workbench')
}
