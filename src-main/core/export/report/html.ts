/** Escaping and the page frame: everything a report shows passes through esc(), run names included. */
import { fontStack } from '../../../../src-shared/fonts'

export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * The report must never reach out: no scripts, fonts, stylesheets or images from anywhere, only the
 * inline styles and data: images it carries. A browser enforces this even if a run name slipped past
 * escaping.
 */
export const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

export function page(lang: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.5 ${fontStack('"')}; color: #0f172a; margin: 0 auto; max-width: 780px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta, .caption { color: #475569; font-size: 12px; }
figure { margin: 8px 0 16px; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 12px; margin: 4px 0 12px; }
th, td { border: 1px solid #e2e8f0; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f8fafc; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
code { font: 11px ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px;
  vertical-align: baseline; }
/* Lines of inline blocks, not a flex box: Chromium keeps a heading with the first line of these when
   printing, but not with the first row of a flex box (the heading then ended a page). */
.mosaics { margin-right: -16px; }
.mosaic { display: inline-block; vertical-align: top; margin: 0 16px 16px 0; }
.mosaic img { image-rendering: pixelated; display: block; border: 1px solid #e2e8f0; }
.mosaic figcaption { font-size: 12px; color: #475569; max-width: 240px; }
.mosaic .damaged { color: #b91c1c; }
.confusion td { text-align: right; min-width: 28px; }
.confusion td.diag { font-weight: 600; }
.notes li { margin-bottom: 4px; }
/* Chinese headings and table headers wrap between words, never inside one: keep-all keeps a run of
   CJK characters together (breaking at spaces and punctuation); break-word only when nothing else fits. */
h1, h2, h3, th, caption { word-break: keep-all; overflow-wrap: break-word; }
.legend-key { margin-top: -8px; }
.legend-key caption { text-align: left; }
.user-notes { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 8px; }
.error { color: #b91c1c; }
.print-only { display: none; }
/* In the report itself, so every printer (Electron's, headless Chromium) leaves the same margins. */
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; }
  h1, h2, h3, caption { break-after: avoid; }
  figure, table, .mosaic, li { break-inside: avoid; }
  details.screen-only { display: none; }
  .print-only { display: block; }
}
`
