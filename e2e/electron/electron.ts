/**
 * Whether the Electron smoke tests can run here, decided without `require('electron')` (which would start
 * downloading the binary): the lookup `npm start` uses, plus a display on Linux.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'

export const ROOT = join(__dirname, '..', '..')

const start = createRequire(__filename)(join(ROOT, 'src-main', 'start.cjs')) as {
  electronBinary: () => string | null
}

export const electronPath = start.electronBinary()

/** Null when the suite can run, else the visible reason it is skipped. */
export const skipReason: string | null =
  electronPath === null
    ? 'skipped: no Electron binary'
    : process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']
      ? 'skipped: no display for Electron (run under xvfb-run)'
      : null
