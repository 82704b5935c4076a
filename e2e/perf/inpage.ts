/**
 * The in-page probe, as a plain script (the node tsconfig has no DOM types): a requestAnimationFrame loop
 * recording frame intervals and a PerformanceObserver collecting 'longtask' entries, exposed as
 * `window.__bench`. Installed with addInitScript, so it survives reloads.
 */
export interface FrameStats {
  frames: number
  p50: number
  p95: number
  max: number
  longTasks: number
  longTaskMs: number
  longestTask: number
}

export interface OpenResult {
  ms: number
  last: string
}

export const PROBE = `
(() => {
  const longTasks = []
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  } catch (e) {}
  let recording = null
  const loop = (t) => {
    if (recording) {
      if (recording.prev !== null) recording.intervals.push(t - recording.prev)
      recording.prev = t
    }
    requestAnimationFrame(loop)
  }
  requestAnimationFrame(loop)
  const pct = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()))
  window.__bench = {
    start() { recording = { t0: performance.now(), prev: null, intervals: [] } },
    stop() {
      const rec = recording
      recording = null
      const end = performance.now()
      const sorted = rec.intervals.slice().sort((a, b) => a - b)
      const tasks = longTasks.filter((l) => l.start >= rec.t0 && l.start < end)
      return {
        frames: sorted.length,
        p50: pct(sorted, 0.5),
        p95: pct(sorted, 0.95),
        max: sorted.length ? sorted[sorted.length - 1] : 0,
        longTasks: tasks.length,
        longTaskMs: tasks.reduce((s, l) => s + l.duration, 0),
        longestTask: tasks.reduce((m, l) => Math.max(m, l.duration), 0),
      }
    },
    /** Moves the EMA slider back and forth, hz 'input' events a second, for ms. */
    wiggle(ms, hz) {
      const el = document.querySelector('[data-testid="ema-slider"]')
      if (!el) return Promise.reject(new Error('no ema-slider'))
      let i = 0
      return new Promise((resolve) => {
        const timer = setInterval(() => {
          const phase = (i++ % 30) / 15
          const v = phase <= 1 ? phase : 2 - phase
          el.value = String(Math.round(v * 99) / 100)
          el.dispatchEvent(new Event('input', { bubbles: true }))
        }, 1000 / hz)
        setTimeout(() => { clearInterval(timer); resolve(i) }, ms)
      })
    },
    /**
     * Goes to a run's detail page by hash and resolves once its loss chart holds the run's data (its name
     * shown, the chart not empty, the last-loss readout set and different from prevLast), plus two frames
     * for ECharts to paint.
     */
    openRun(id, name, prevLast, timeoutMs) {
      const t0 = performance.now()
      location.hash = '#/runs/' + id
      return new Promise((resolve, reject) => {
        const tick = async () => {
          const title = document.querySelector('[data-testid="run-detail-name"]')
          const chart = document.querySelector('[data-testid="loss-chart"]')
          const card = chart && chart.closest('section')
          const last = card && card.querySelector('.last')
          const ready = title && title.textContent.trim() === name && chart && chart.querySelector('canvas') &&
            !chart.querySelector('.empty') && last && last.textContent.trim() !== '' &&
            last.textContent.trim() !== prevLast
          if (ready) {
            await nextFrame()
            await nextFrame()
            resolve({ ms: performance.now() - t0, last: last.textContent.trim() })
          } else if (performance.now() - t0 > timeoutMs) {
            reject(new Error('run ' + id + ' not ready after ' + timeoutMs + ' ms'))
          } else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
    },
  }
})()
`
