/**
 * Byte sizes for people: "about 48 GB" in messages, "12GB" / "800 MB" / "50%" in the memory-budget
 * setting. Binary units under their everyday names (1 GB = 2^30 bytes), because that is how machines are
 * sold and shown: a "16 GB" laptop reports 2^34 bytes of memory, which formats as "16 GB" here.
 */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const
const FACTOR: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }

/** 512 B, 12 KB, 1.5 MB, 48 GB: two significant digits below 10 of a unit, whole units above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return `${String(bytes)} B`
  let unit = 0
  let v = bytes
  while (v >= 1024 && unit < UNITS.length - 1) {
    v /= 1024
    unit++
  }
  if (unit === 0) return `${Math.round(v)} B`
  // 9.96 would print as "10.0": switch to whole numbers where rounding reaches 10.
  const shown = v < 9.95 ? Number(v.toFixed(1)) : Math.round(v)
  if (shown >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`
  return `${shown} ${UNITS[unit]}`
}

export type ByteSizeResult = { ok: true; bytes: number } | { ok: false; message: string }

/**
 * Parses a size as a person writes it: `12GB`, `12 GB`, `1.5G`, `800MB`, `800 MiB`, `4096B`, or a share
 * of `totalBytes`: `50%` or a bare fraction in (0, 1] such as `0.5`. Units are binary (see above).
 */
export function parseByteSize(text: string, totalBytes: number): ByteSizeResult {
  const s = text.trim()
  const share = /^(\d+(?:\.\d+)?)\s*%$/.exec(s)
  if (share) {
    const pct = Number(share[1])
    if (!(pct > 0 && pct <= 100))
      return { ok: false, message: `a share of memory must be in (0%, 100%], got ${s}` }
    return { ok: true, bytes: Math.floor((totalBytes * pct) / 100) }
  }
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgtp])(?:i?b)?|(b))?$/i.exec(s)
  if (!m) {
    return {
      ok: false,
      message: `expected a size such as 12GB or 800MB, a share such as 50%, or a fraction such as 0.5; got '${s}'`,
    }
  }
  const value = Number(m[1])
  const unit = m[2] ?? m[3]
  if (unit === undefined) {
    // A bare number up to 1 is a fraction of memory; above, "12" could mean bytes or gigabytes.
    if (value > 0 && value <= 1) return { ok: true, bytes: Math.floor(totalBytes * value) }
    return { ok: false, message: `give '${s}' a unit (${s}GB, ${s}MB) or write a fraction such as 0.5` }
  }
  const bytes = Math.floor(value * FACTOR[unit.toLowerCase()]!)
  if (!(bytes > 0)) return { ok: false, message: `a size must be more than 0 bytes, got '${s}'` }
  return { ok: true, bytes }
}
