/**
 * PDF in the desktop app: Electron's own Chromium prints the report, so the app needs no other browser.
 * The report loads in a hidden window that can do nothing but show it: no script, no preload, sandboxed,
 * in a throwaway in-memory session whose requests other than the report file itself are cancelled.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BrowserWindow, session, type Session } from 'electron'
import { PDF_TIMEOUT_MS, withDeadline } from '../core/export/pdf/deadline'
import type { PdfPrinter } from '../core/export/pdf/printer'

/** Report files being printed: the only URLs the print session loads (besides the reports' data: images). */
const printing = new Set<string>()
let printSession: Session | null = null

/** One in-memory session for all prints (not 'persist:': nothing of it reaches the disk). */
function pdfSession(): Session {
  if (printSession) return printSession
  const ses = session.fromPartition('workbench-pdf')
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !(printing.has(details.url) || details.url.startsWith('data:')) })
  })
  printSession = ses
  return ses
}

export class ElectronPdfPrinter implements PdfPrinter {
  async print(html: string): Promise<Uint8Array> {
    // A file rather than a data: URL, which Chromium caps at 2 MB (a report with many mosaics is more).
    const dir = await mkdtemp(join(tmpdir(), 'workbench-pdf-'))
    const file = join(dir, 'report.html')
    const fileUrl = pathToFileURL(file).href
    printing.add(fileUrl)
    const win = new BrowserWindow({
      show: false,
      webPreferences: { session: pdfSession(), javascript: false, sandbox: true, contextIsolation: true },
    })
    try {
      await writeFile(file, html, 'utf8')
      // Neither call has a timeout of its own: a stuck print would hang the export with the window open.
      return await withDeadline(
        (async () => {
          await win.loadURL(fileUrl)
          const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true })
          return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength)
        })(),
        PDF_TIMEOUT_MS,
      )
    } finally {
      win.destroy()
      printing.delete(fileUrl)
      await rm(dir, { recursive: true, force: true })
    }
  }
}
