/**
 * PDF through a headless Chromium already on the machine, driven by playwright-core (which downloads no
 * browser of its own). Used by the CLI and the browser-mode server, where there is no Electron.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { WorkbenchError } from '../../errors'
import { CHROMIUM_ARGS } from './chromiumArgs'
import { PDF_TIMEOUT_MS, withDeadline } from './deadline'
import type { PdfPrinter } from './printer'

export const CHROMIUM_ENV = 'WORKBENCH_CHROMIUM'

/** Where Chromium or Chrome is usually installed, per platform, in order of preference. */
export function chromiumCandidates(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (platform === 'darwin') {
    return [
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
    ]
  }
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter(
      (r): r is string => typeof r === 'string' && r !== '',
    )
    return roots.map((r) => join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'))
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
}

/**
 * The browser to print with: $WORKBENCH_CHROMIUM if set (it must exist: a typo should not silently pick
 * another browser), else the first usual location that exists. Throws 'unavailable' saying what to do.
 */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string {
  const chosen = env[CHROMIUM_ENV]
  if (chosen) {
    if (exists(chosen)) return chosen
    throw new WorkbenchError(
      'unavailable',
      `${CHROMIUM_ENV} is set to ${chosen}, but there is no such file: point it at a Chromium or Chrome executable`,
    )
  }
  const candidates = chromiumCandidates(platform, env)
  const found = candidates.find((p) => exists(p))
  if (found) return found
  const install =
    platform === 'linux'
      ? 'install Chromium (Debian/Ubuntu: apt-get install chromium)'
      : 'install Google Chrome or Chromium'
  throw new WorkbenchError(
    'unavailable',
    `PDF export needs Chromium or Chrome and found none (looked in ${candidates.join(', ')}): ` +
      `${install}, or set ${CHROMIUM_ENV} to its executable`,
  )
}

export interface ChromiumPrinterOptions {
  /** The browser executable; default: findChromium() when printing. */
  executablePath?: string
  /** How long loading and printing the report may take, browser start-up aside; default PDF_TIMEOUT_MS. */
  timeoutMs?: number
}

/** Playwright's own limit for starting the browser. */
const LAUNCH_TIMEOUT_MS = 60_000

export class ChromiumPdfPrinter implements PdfPrinter {
  /** The print in progress: each print starts a browser, so a burst of requests waits its turn. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly options: ChromiumPrinterOptions = {}) {}

  print(html: string): Promise<Uint8Array> {
    const next = this.queue.then(
      () => this.printNow(html),
      () => this.printNow(html),
    )
    this.queue = next.catch(() => undefined)
    return next
  }

  private async printNow(html: string): Promise<Uint8Array> {
    // Looked up per print, not at start-up: a server that starts without Chromium works until asked for a PDF.
    const executablePath = this.options.executablePath ?? findChromium()
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: LAUNCH_TIMEOUT_MS })
    const timeoutMs = this.options.timeoutMs ?? PDF_TIMEOUT_MS
    try {
      // page.pdf() has no timeout of its own: a stuck print would otherwise hang here with the browser open.
      return await withDeadline(
        (async () => {
          const context = await browser.newContext({ javaScriptEnabled: false, offline: true })
          const page = await context.newPage()
          await page.setContent(html, { waitUntil: 'load', timeout: 0 })
          const pdf = await page.pdf({ format: 'A4', printBackground: true })
          return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength)
        })(),
        timeoutMs,
      )
    } finally {
      await browser.close()
    }
  }
}
