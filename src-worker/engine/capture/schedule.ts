/**
 * When interval captures happen. A fixed `every` captures at the iterations it divides (the same ones on
 * every run and after a resume). 'auto' derives K from costs measured on this run, as it trains: the
 * median of the recent steps' own time (without capture) and the median of the captures' overhead (the
 * probe plus the statistics), K = ceil(overhead / (HEADROOM * budget * step)), so that interval captures
 * cost under `budget` of the training time on average: aiming at 3/4 of it leaves room for the noise of
 * timings on a loaded machine. The first capture runs cold (fresh probe arena, unoptimised code), so once
 * there are later ones it is left out of the overhead's median. K is re-derived at every capture.
 *
 * The accuracy checks capture anyway, one every `checkEvery` steps (an epoch), and the budget covers them
 * too: interval captures get what the checks leave of it, and none when the checks alone spend it (a small
 * dataset's short epochs).
 */
const STEP_WINDOW = 31
const OVERHEAD_WINDOW = 7
const HEADROOM = 0.75

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export class CaptureSchedule {
  private readonly stepMs: number[] = []
  private readonly overheadMs: number[] = []
  private capturesSeen = 0
  private lastCapture = 0

  constructor(
    readonly every: number | 'auto',
    readonly budget: number,
    /** Steps between the check captures the budget also pays for; null: none to account for. */
    readonly checkEvery: number | null = null,
  ) {}

  /** The iteration counting restarts from (a resumed run): 'auto' waits K steps from there. */
  start(iteration: number): void {
    this.lastCapture = Math.max(this.lastCapture, iteration)
  }

  /** A step's own time in ms (a capture step's time without its capture). */
  noteStep(ms: number): void {
    this.stepMs.push(ms)
    if (this.stepMs.length > STEP_WINDOW) this.stepMs.shift()
  }

  noteCapture(iteration: number, overheadMs: number): void {
    this.lastCapture = iteration
    this.capturesSeen++
    // Keep the cold first one only until a warm one replaces it.
    if (this.capturesSeen === 2 && this.overheadMs.length === 1) this.overheadMs.length = 0
    this.overheadMs.push(overheadMs)
    if (this.overheadMs.length > OVERHEAD_WINDOW) this.overheadMs.shift()
  }

  /**
   * The current K; null while 'auto' has not measured a step and a capture yet, Infinity when the check
   * captures alone spend the budget.
   */
  interval(): number | null {
    if (this.every !== 'auto') return this.every
    if (this.stepMs.length === 0 || this.overheadMs.length === 0) return null
    const step = Math.max(median(this.stepMs), 1e-3)
    const overhead = median(this.overheadMs)
    // The share of the training time left for interval captures once the checks' captures are paid.
    const checks = this.checkEvery !== null && this.checkEvery > 0 ? overhead / (this.checkEvery * step) : 0
    const left = HEADROOM * this.budget - checks
    if (left <= 0) return Infinity
    return Math.max(1, Math.ceil(overhead / (left * step)))
  }

  /** Whether iteration (1-based) takes an interval capture. */
  due(iteration: number): boolean {
    if (this.every !== 'auto') return iteration % this.every === 0
    const k = this.interval()
    return k !== null && iteration - this.lastCapture >= k
  }
}
