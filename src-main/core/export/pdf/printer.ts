/**
 * Turns a report's HTML into PDF bytes. Each front end brings its own: Electron prints with its own
 * Chromium (src-main/electron/pdf.ts); the CLI and the browser-mode server use a headless Chromium
 * (chromium.ts). Handlers only see this interface.
 */
export interface PdfPrinter {
  print(html: string): Promise<Uint8Array>
}
