/** How much a saved mosaic is enlarged: a whole factor, so every weight stays a sharp square of pixels. */

/** The largest whole factor that keeps the longer side within `target` pixels (at least 1). */
export function mosaicExportScale(width: number, height: number, target = 768): number {
  const longer = Math.max(width, height)
  if (!(longer > 0)) return 1
  return Math.max(1, Math.floor(target / longer))
}
