// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { base64ToBytes, dataUrlToBlob, fileSafe, saveBlob, saveFile } from './download'

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

/** Captures what an <a download> click would save. */
function captureDownloads() {
  const saved: { name: string; href: string; inDocument: boolean }[] = []
  const blobs = new Map<string, Blob>()
  let n = 0
  vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    const url = `blob:test/${n++}`
    blobs.set(url, b as Blob)
    return url
  })
  const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, href: this.href, inDocument: document.body.contains(this) })
  })
  return { saved, blobs, revoke }
}

describe('download', () => {
  it('saves an exported file under its name with its bytes and type', async () => {
    vi.useFakeTimers()
    const { saved, blobs, revoke } = captureDownloads()
    saveFile({ fileName: 'report.csv', mime: 'text/csv', base64: btoa('a,b\r\n1,2\r\n') })
    expect(saved).toEqual([{ name: 'report.csv', href: 'blob:test/0', inDocument: true }])
    const blob = blobs.get('blob:test/0')!
    expect(blob.type).toBe('text/csv')
    expect(await blob.text()).toBe('a,b\r\n1,2\r\n')
    // The link is gone at once; the URL only once the download has had time to read it.
    expect(document.querySelectorAll('a').length).toBe(0)
    expect(revoke).not.toHaveBeenCalled()
    vi.runAllTimers()
    expect(revoke).toHaveBeenCalledWith('blob:test/0')
  })

  it('keeps binary bytes intact', () => {
    const bytes = Uint8Array.from([0, 255, 128, 10, 13])
    expect(Array.from(base64ToBytes(btoa(String.fromCharCode(...bytes))))).toEqual(Array.from(bytes))
  })

  it('turns data URLs (base64 or not) into blobs', async () => {
    const png = dataUrlToBlob(`data:image/png;base64,${btoa('\x89PNG')}`)
    expect(png.type).toBe('image/png')
    expect(Array.from(new Uint8Array(await png.arrayBuffer()))).toEqual([0x89, 0x50, 0x4e, 0x47])
    const svg = dataUrlToBlob('data:image/svg+xml;charset=utf-8,%3Csvg%3E')
    expect(await svg.text()).toBe('<svg>')
    expect(() => dataUrlToBlob('blob:x')).toThrow()
  })

  it('makes names safe as file names on every system', () => {
    expect(fileSafe('e2e: small conv/w*1?.png')).toBe('e2e_ small conv_w_1_.png')
    expect(fileSafe('a\\b"c<d>e|f\u0007g')).toBe('a_b_c_d_e_f_g')
    expect(fileSafe('lr 1e-3 (best).html')).toBe('lr 1e-3 (best).html')
  })

  it('saves any blob', () => {
    const { saved } = captureDownloads()
    saveBlob('chart.svg', new Blob(['<svg/>']))
    expect(saved[0]!.name).toBe('chart.svg')
  })
})
