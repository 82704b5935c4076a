/**
 * Saving files the user asked for. An <a download> over an object URL works in both modes: Chromium
 * downloads it in the browser, and Electron turns it into its save dialog, so no IPC is needed.
 */
import type { ExportedFile } from '../../../src-shared/contract'

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}

/** A `data:` URL (what ECharts' getDataURL returns) as a Blob of its bytes and type. */
export function dataUrlToBlob(url: string): Blob {
  const comma = url.indexOf(',')
  if (!url.startsWith('data:') || comma < 0) throw new Error('not a data URL')
  // data:[<mime>][;param=value]*[;base64],<payload>
  const [mime, ...params] = url.slice(5, comma).split(';')
  const payload = url.slice(comma + 1)
  const bytes = params.includes('base64')
    ? base64ToBytes(payload)
    : new TextEncoder().encode(decodeURIComponent(payload))
  return new Blob([bytes], { type: mime || 'application/octet-stream' })
}

// Revoking the URL at once can cancel a download that has not read the blob yet.
const REVOKE_AFTER_MS = 60_000

/**
 * A run's name as part of a file name: the characters Windows or macOS refuse (and control characters)
 * become '_', as browsers would do anyway, but the same in every browser and in the app.
 */
export function fileSafe(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_')
}

export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = fileSafe(name)
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS)
}

export function saveFile(file: ExportedFile): void {
  saveBlob(file.fileName, new Blob([base64ToBytes(file.base64)], { type: file.mime }))
}
