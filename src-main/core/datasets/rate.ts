/**
 * Transfer speed over a sliding window: what the bytes did in the last few seconds, so a stall shows as a
 * falling speed and a resumed download does not count the bytes it found on disk.
 */
export class RateMeter {
  private readonly samples: { t: number; bytes: number }[] = []

  constructor(
    /** Samples older than this (ms) are dropped. */
    private readonly windowMs = 5000,
    /** No speed until the window spans this long (ms): two samples 1 ms apart say nothing. */
    private readonly minSpanMs = 500,
  ) {}

  /** `bytes` is a running total (not a delta). A total that goes back (a restart) starts over. */
  add(t: number, bytes: number): void {
    const last = this.samples.at(-1)
    if (last !== undefined && bytes < last.bytes) this.samples.length = 0
    this.samples.push({ t, bytes })
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowMs) this.samples.shift()
  }

  /** Bytes per second over the window, or null while it spans too little time. */
  rate(): number | null {
    const first = this.samples[0]
    const last = this.samples.at(-1)
    if (first === undefined || last === undefined) return null
    const span = last.t - first.t
    if (span < this.minSpanMs) return null
    return ((last.bytes - first.bytes) * 1000) / span
  }
}
