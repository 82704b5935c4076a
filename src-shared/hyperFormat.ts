/**
 * Hyperparameters and other config values as people write them: `1e-3`, `0.95`, `100`, never
 * `0.08713003913871945`. One formatter for the UI's tables (two significant digits, as sweep run names
 * show them) and the reports (three, so the differing values of a random search stay apart). Kept free
 * of zod and Intl so the renderer's first chunk can import it.
 */

/** A number in the `1e-3` notation: plain between 0.01 and 10,000 (and for integers), else scientific. */
export function formatHyper(v: number | null | undefined, digits = 2): string {
  if (v == null) return '—'
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (Number.isInteger(v) && a < 1e6) return String(v)
  if (a >= 1e-2 && a < 1e4) return String(Number(v.toPrecision(digits)))
  // 1.50e-4 -> 1.5e-4; 1.0e-3 -> 1e-3 (the mantissa loses its trailing zeros, the exponent its plus).
  const [mantissa, exponent] = v.toExponential(digits - 1).split('e') as [string, string]
  return `${Number(mantissa)}e${exponent.replace('+', '')}`
}

/**
 * Any config value (a leaf of the config's JSON): numbers as formatHyper, inside arrays too, except
 * whole numbers, which stay exact (a seed of 3921700069 is not 3.92e9).
 */
export function formatConfigValue(v: unknown, digits = 3): string {
  if (v === undefined || v === null) return '—'
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : formatHyper(v, digits)
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return `[${v.map((x) => formatConfigValue(x, digits)).join(', ')}]`
  if (typeof v === 'object') {
    const fields = Object.entries(v).map(([k, x]) => `${k}: ${formatConfigValue(x, digits)}`)
    return `{${fields.join(', ')}}`
  }
  return String(v)
}
