/**
 * Renders only the rows of a long table that are in (or near) the view of its scroll box, for 20,000
 * runs (lib/windowing.ts does the arithmetic). A short table renders every row, as before: the find bar
 * and the e2e specs see all of them, and there is nothing to gain.
 *
 * Written here rather than taken from a virtual-list library: the table needs spacer rows inside its own
 * <tbody> (so the columns stay one table's, with the sticky header), heights measured by run id (so a
 * sort keeps them), and a test environment without layout (happy-dom) to still render a first screen.
 */
import { computed, nextTick, onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue'
import { meanHeight, rowOffsets, visibleWindow, type RowWindow } from '../lib/windowing'

export interface WindowOptions {
  /** The rows' keys, in the order drawn. */
  keys: () => readonly string[]
  /** The element that scrolls (the table's box); its first child rows are measured inside `body`. */
  scroller: Ref<HTMLElement | null>
  /** The <tbody> whose rows carry their key as `data-run-id`. */
  body: Ref<HTMLElement | null>
  /** More rows than this are windowed. */
  threshold?: number
  /** A row's height before any is measured, in pixels. */
  estimate?: number
  /** Pixels rendered beyond the view on each side. */
  margin?: number
  /** The view's height where the layout says 0 (no layout engine): a first screen's worth. */
  fallbackHeight?: number
  /**
   * Where the box was scrolled (and the heights it measured) is kept under this name when the table
   * leaves the page, and restored when it comes back: a run's page, then Back, returns to the same rows.
   */
  restoreKey?: string
}

interface Kept {
  top: number
  measured: Map<string, number>
}
/** Per table, while the app runs (like the router's saved window positions). */
const kept = new Map<string, Kept>()

export function useWindowedRows(options: WindowOptions) {
  const threshold = options.threshold ?? 150
  const estimate = options.estimate ?? 37
  const margin = options.margin ?? 600
  const fallbackHeight = options.fallbackHeight ?? 800

  const scrollTop = ref(0)
  const viewHeight = ref(0)
  /** Where the first row starts inside the scroll box: the header's height. */
  const bodyTop = ref(0)
  const measured = shallowRef(new Map<string, number>())

  const windowed = computed(() => options.keys().length > threshold)
  const offsets = computed(() =>
    windowed.value
      ? rowOffsets(options.keys(), measured.value, meanHeight(measured.value, estimate))
      : new Float64Array(0),
  )
  const range = computed<RowWindow>((previous) => {
    const n = options.keys().length
    if (!windowed.value) return { start: 0, end: n, padTop: 0, padBottom: 0 }
    const height = viewHeight.value > 0 ? viewHeight.value : fallbackHeight
    const top = scrollTop.value - bodyTop.value
    const o = offsets.value
    // The rows drawn stay while they cover the view and a third of the margin: a scroll re-renders
    // once every few rows, not at each pixel.
    const need = visibleWindow(o, top, height, margin / 3)
    if (previous && previous.end <= n && previous.start <= need.start && previous.end >= need.end) {
      return { ...previous, padTop: o[previous.start]!, padBottom: o[n]! - o[previous.end]! }
    }
    return visibleWindow(o, top, height, margin)
  })
  // Separate values, so a scroll within the same rows re-renders nothing.
  const start = computed(() => range.value.start)
  const end = computed(() => range.value.end)
  const padTop = computed(() => range.value.padTop)
  const padBottom = computed(() => range.value.padBottom)

  /**
   * Reads the heights of the drawn rows not measured yet (a row's height changes only with the columns or
   * the window's width: `remeasure` forgets them). Reading lays the page out, so rows known already are not
   * read again, and a scroll that brings no new row reads nothing.
   */
  function measure(): void {
    const body = options.body.value
    if (!body || !windowed.value) return
    let next: Map<string, number> | null = null
    for (const row of body.querySelectorAll<HTMLElement>(':scope > tr[data-run-id]')) {
      const key = row.dataset['runId']!
      if (measured.value.has(key)) continue
      const h = row.offsetHeight
      // 0: not laid out (hidden, or no layout engine): the estimate stands.
      if (h > 0) (next ??= new Map(measured.value)).set(key, h)
    }
    if (next) measured.value = next
  }

  /** The header's height and every row's again: after a resize or a change of columns. */
  function remeasure(): void {
    const body = options.body.value
    if (!body) return
    bodyTop.value = body.offsetTop
    measured.value = new Map()
    measure()
  }

  function onScroll(): void {
    const el = options.scroller.value
    if (el) scrollTop.value = el.scrollTop
  }

  let observer: ResizeObserver | null = null
  onMounted(() => {
    const el = options.scroller.value
    if (!el) return
    el.addEventListener('scroll', onScroll, { passive: true })
    viewHeight.value = el.clientHeight
    if (typeof ResizeObserver === 'function') {
      let width = el.clientWidth
      observer = new ResizeObserver(() => {
        viewHeight.value = el.clientHeight
        // A narrower window wraps cells: the rows' heights change.
        if (el.clientWidth !== width) {
          width = el.clientWidth
          remeasure()
        }
      })
      observer.observe(el)
    }
    remeasure()
    const saved = options.restoreKey ? kept.get(options.restoreKey) : undefined
    if (saved && options.keys().length > 0) {
      if (saved.measured.size > 0) measured.value = saved.measured
      // Once the spacers have the heights measured before, the box is as tall as it was.
      void nextTick(() => {
        el.scrollTop = saved.top
        scrollTop.value = el.scrollTop
      })
    }
  })
  onBeforeUnmount(() => {
    const el = options.scroller.value
    if (el && options.restoreKey)
      kept.set(options.restoreKey, { top: el.scrollTop, measured: measured.value })
    el?.removeEventListener('scroll', onScroll)
    observer?.disconnect()
  })
  // After every change of the drawn rows, once they are in the document.
  watch([start, end, options.keys], () => measure(), { flush: 'post' })

  /** Back to the first row (a new sort order). */
  function scrollToTop(): void {
    const el = options.scroller.value
    if (el) el.scrollTop = 0
    scrollTop.value = 0
  }

  return { windowed, start, end, padTop, padBottom, measure, remeasure, scrollToTop }
}
