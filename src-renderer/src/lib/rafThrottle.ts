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
