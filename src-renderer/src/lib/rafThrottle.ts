/** Coalesces calls into at most one per animation frame (timers stand in where there are no frames). */
export function rafThrottle(fn: () => void): { schedule(): void; cancel(): void } {
  let handle: number | ReturnType<typeof setTimeout> | null = null
  const hasRaf = typeof requestAnimationFrame === 'function'
  const run = (): void => {
    handle = null
    fn()
  }
  return {
    schedule() {
      if (handle !== null) return
      handle = hasRaf ? requestAnimationFrame(run) : setTimeout(run, 16)
    },
    cancel() {
      if (handle === null) return
      if (hasRaf) cancelAnimationFrame(handle as number)
      else clearTimeout(handle as ReturnType<typeof setTimeout>)
      handle = null
    },
  }
}

/**
 * Like rafThrottle, but at most one call per `ms` (on an animation frame): a live chart redrawn every
 * frame keeps the page busy, while a few redraws a second look just as live.
 */
export function intervalThrottle(fn: () => void, ms: number): { schedule(): void; cancel(): void } {
  const frame = rafThrottle(() => {
    last = Date.now()
    fn()
  })
  let last = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  return {
    schedule() {
      if (timer !== null) return
      const wait = last + ms - Date.now()
      if (wait <= 0) frame.schedule()
      else
        timer = setTimeout(() => {
          timer = null
          frame.schedule()
        }, wait)
    },
    cancel() {
      if (timer !== null) clearTimeout(timer)
      timer = null
      frame.cancel()
    },
  }
}
