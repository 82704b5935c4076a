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

/** A grouped compare view drawn: how long it took, and how many groups its chart says it holds. */
export interface GroupResult {
  ms: number
  groups: string
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
    /** What the runs table shows: its count line, first row and number of rows in the DOM. */
    tableState() {
      const count = document.querySelector('[data-testid="runs-count"]')
      const rows = document.querySelectorAll('[data-testid="run-row"]')
      return (count ? count.textContent.trim() : '') + '|' + (rows[0] ? rows[0].getAttribute('data-run-id') : '') + '|' + rows.length
    },
    /**
     * Resolves once the table shows rows and its count line names total (digits only: the count may be
     * written with or without grouping), plus two
     * frames: ms since the navigation started (a cold load) or since since (a route change).
     */
    tableDrawn(total, since, timeoutMs) {
      const t0 = since === null ? 0 : since
      return new Promise((resolve, reject) => {
        const tick = async () => {
          const count = document.querySelector('[data-testid="runs-count"]')
          const rows = document.querySelectorAll('[data-testid="run-row"]')
          if (count && rows.length > 0 && count.textContent.replace(/[,.\\s\u00a0\u202f]/g, '').includes(total)) {
            await nextFrame()
            await nextFrame()
            resolve(performance.now() - t0)
          } else if (performance.now() - t0 > timeoutMs) {
            reject(new Error('no table of ' + total + ' runs after ' + timeoutMs + ' ms'))
          } else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
    },
    /** Goes to a hash and resolves with the time to the table of total runs drawn. */
    openTable(hash, total, timeoutMs) {
      const t0 = performance.now()
      location.hash = hash
      return window.__bench.tableDrawn(total, t0, timeoutMs)
    },
    /**
     * Runs act() (a filter typed, a header clicked) and resolves with the ms until the table shows
     * something else (count, first row or row count), plus two frames for it to be painted.
     */
    tableChange(act, timeoutMs) {
      const before = window.__bench.tableState()
      const t0 = performance.now()
      act()
      return new Promise((resolve, reject) => {
        const tick = async () => {
          if (window.__bench.tableState() !== before) {
            await nextFrame()
            await nextFrame()
            resolve(performance.now() - t0)
          } else if (performance.now() - t0 > timeoutMs) {
            reject(new Error('the table did not change after ' + timeoutMs + ' ms'))
          } else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
    },
    /** Types text into the filter box as one input event (what a paste or the last keystroke does). */
    filter(text, timeoutMs) {
      const box = document.querySelector('[data-testid="runs-filter"]')
      if (!box) return Promise.reject(new Error('no runs-filter'))
      return window.__bench.tableChange(() => {
        box.value = text
        box.dispatchEvent(new Event('input', { bubbles: true }))
      }, timeoutMs)
    },
    /** Clicks a column's sort button. */
    sort(key, timeoutMs) {
      const button = document.querySelector('[data-testid="sort-' + key + '"]')
      if (!button) return Promise.reject(new Error('no sort-' + key))
      return window.__bench.tableChange(() => button.click(), timeoutMs)
    },
    /**
     * Goes to a compare link and resolves once every loss and accuracy chart on it has drawn at least
     * minCurves curves (LineChart's data-drawn), plus two frames.
     */
    openCompare(hash, minCurves, timeoutMs) {
      const t0 = performance.now()
      location.hash = hash
      return new Promise((resolve, reject) => {
        const tick = async () => {
          const charts = [...document.querySelectorAll('[data-testid="loss-chart"], [data-testid="acc-chart"]')]
          const drawn = charts.length >= 2 && charts.every((c) => Number(c.getAttribute('data-drawn') || 0) >= minCurves)
          if (drawn) {
            await nextFrame()
            await nextFrame()
            resolve(performance.now() - t0)
          } else if (performance.now() - t0 > timeoutMs) {
            const got = charts.map((c) => c.getAttribute('data-drawn')).join(', ')
            reject(new Error('compare not drawn after ' + timeoutMs + ' ms (charts drew ' + got + ')'))
          } else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
    },
    /**
     * Goes to a grouped compare link and resolves once the view shows a grouped chart
     * (data-testid="compare-grouped" with data-groups), plus two frames; null if none appears in time.
     */
    openGrouped(hash, timeoutMs) {
      const t0 = performance.now()
      location.hash = hash
      return new Promise((resolve) => {
        const tick = async () => {
          const el = document.querySelector('[data-testid="compare-grouped"][data-groups]')
          if (el) {
            await nextFrame()
            await nextFrame()
            resolve({ ms: performance.now() - t0, groups: el.getAttribute('data-groups') })
          } else if (performance.now() - t0 > timeoutMs) resolve(null)
          else requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
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
