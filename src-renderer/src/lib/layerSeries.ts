/**
 * Layer captures (src-shared/layerStats.ts) as the Layers panel reads them: merged as they arrive,
 * listed per layer, and the fixed histogram bins named as values.
 */
import {
  BINS_PER_DECADE,
  CENTRE_BIN,
  MIN_MAGNITUDE,
  SIDE_BINS,
  thinEvenly,
  type LayerCapture,
  type LayerRecord,
  type TensorStats,
} from '../../../src-shared/layerStats'

/** The histogrammed quantities of a layer, in the order the panel offers them. */
export const QUANTITIES = ['weight', 'grad', 'preact', 'postact'] as const
export type Quantity = (typeof QUANTITIES)[number]

/**
 * `incoming` appended to `existing` in iteration order. A capture at or before one already held means
 * the run was resumed from an earlier checkpoint and retrains those steps: the held ones from that
 * iteration on are replaced, as the metrics' curve is.
 */
export function mergeCaptures(existing: LayerCapture[], incoming: LayerCapture[]): LayerCapture[] {
  const out = existing.slice()
  for (const c of incoming) {
    if (!Number.isFinite(c?.iteration) || !Array.isArray(c.layers)) continue
    while (out.length > 0 && out[out.length - 1]!.iteration >= c.iteration) out.pop()
    out.push(c)
  }
  return out.length > CAPTURES_HELD_MAX ? thinHeld(out) : out
}

/**
 * Captures the renderer holds per run at most. A long run captures at every accuracy check (thousands on
 * a small dataset); past this the older ones are thinned evenly to 2/3 of it, so memory and each
 * redraw stay bounded however long the run trains. The newest captures are always kept.
 */
export const CAPTURES_HELD_MAX = 300

function thinHeld(list: LayerCapture[]): LayerCapture[] {
  return thinEvenly(list, Math.round((CAPTURES_HELD_MAX * 2) / 3))
}

/** Layer names in net order (first capture that names them), for one run or several. */
export function layerNames(...runs: LayerCapture[][]): string[] {
  const seen = new Set<string>()
  for (const captures of runs) for (const c of captures) for (const l of c.layers) seen.add(l.name)
  return [...seen]
}

/** The layer `name` in each capture, with the capture's iteration; captures without it are left out. */
export function layerOver(
  captures: LayerCapture[],
  name: string,
): { iteration: number; layer: LayerRecord }[] {
  const out: { iteration: number; layer: LayerRecord }[] = []
  for (const c of captures) {
    const layer = c.layers.find((l) => l.name === name)
    if (layer) out.push({ iteration: c.iteration, layer })
  }
  return out
}

export function statsOf(layer: LayerRecord, q: Quantity): TensorStats | undefined {
  return layer[q]
}

/** Whether any capture of any layer holds this quantity (the scores layer has no activations). */
export function hasQuantity(captures: LayerCapture[], q: Quantity): boolean {
  return captures.some((c) => c.layers.some((l) => (l[q]?.hist.counts.length ?? 0) > 0))
}

/** The power of ten a bin's lower magnitude is (bin 1e-2 … 1.26e-2 gives -2), or null between decades. */
export function binDecade(bin: number): number | null {
  if (bin === CENTRE_BIN) return null
  const k = bin > CENTRE_BIN ? bin - CENTRE_BIN - 1 : CENTRE_BIN - 1 - bin
  if (k < 0 || k >= SIDE_BINS || k % BINS_PER_DECADE !== 0) return null
  return Math.round(Math.log10(MIN_MAGNITUDE)) + k / BINS_PER_DECADE
}

/**
 * A bin's label when its lower magnitude is a power of ten ('1e-2', '-1e-3', '1'), '0' for the centre
 * bin, and null for the bins in between (the axis names only the decades).
 */
export function binLabel(bin: number): string | null {
  if (bin === CENTRE_BIN) return '0'
  const exponent = binDecade(bin)
  if (exponent === null) return null
  const magnitude = exponent === 0 ? '1' : `1e${exponent}`
  return bin > CENTRE_BIN ? magnitude : `-${magnitude}`
}

/** A value as the tooltip writes a bin edge: three significant digits, exponent form when small or large. */
export function edgeLabel(v: number): string {
  if (v === 0) return '0'
  const a = Math.abs(v)
  return a >= 1e-2 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2).replace('e+', 'e')
}

/**
 * The bins the heatmap shows: every bin any capture filled, widened to whole decades (so the axis has a
 * labelled decade at each end) and always holding the centre bin (zero). null when nothing is filled.
 */
export function binRange(hists: { lo: number; counts: number[] }[]): [number, number] | null {
  let lo = Infinity
  let hi = -Infinity
  for (const h of hists) {
    if (h.counts.length === 0) continue
    lo = Math.min(lo, h.lo)
    hi = Math.max(hi, h.lo + h.counts.length - 1)
  }
  if (lo > hi) return null
  lo = Math.min(lo, CENTRE_BIN)
  hi = Math.max(hi, CENTRE_BIN)
  const decadeDown = (b: number): number => {
    while (b > 0 && binLabel(b) === null) b--
    return b
  }
  const decadeUp = (b: number): number => {
    while (b < 2 * SIDE_BINS && binLabel(b) === null) b++
    return b
  }
  return [decadeDown(lo), decadeUp(hi)]
}
