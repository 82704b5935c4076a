/**
 * Whether this system can draw Chinese: two different Han characters are drawn in the page's font; with
 * a Chinese font they differ, without one both come out as the same "tofu" box. null where the page
 * cannot draw to find out (no canvas), so nothing is claimed.
 */
export function canDrawChinese(doc: Document = document): boolean | null {
  const canvas = doc.createElement('canvas')
  const size = 40
  canvas.width = size
  canvas.height = size
  let ctx: CanvasRenderingContext2D | null = null
  try {
    ctx = canvas.getContext('2d', { willReadFrequently: true })
  } catch {
    return null
  }
  if (!ctx) return null
  const family = doc.defaultView?.getComputedStyle(doc.documentElement).fontFamily || 'sans-serif'
  const draw = (ch: string): Uint8ClampedArray => {
    ctx.clearRect(0, 0, size, size)
    ctx.font = `32px ${family}`
    ctx.fillStyle = '#000'
    ctx.textBaseline = 'alphabetic'
    ctx.fillText(ch, 2, 32)
    return ctx.getImageData(0, 0, size, size).data
  }
  const a = draw('中')
  const b = draw('文')
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true
  return false
}
