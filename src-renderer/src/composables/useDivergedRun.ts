/**
 * What the run page shows of a run whose loss left the finite range: the loss chart's axes and marks (the
 * finite curve filling the chart on a log axis, a dashed line where it diverged, a dot at the last
 * finite loss) and the banner's sentences, in the UI's language. Runs that did not diverge get the
 * page's usual chart (a log axis only when their loss spans orders of magnitude) and no banner.
 */
import { computed, type ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { lossNeedsLog } from '../../../src-shared/lossScale'
import type { RunRecord } from '../../../src-shared/runs'
import type { ChartMark } from '../components/LineChart.vue'
import { divergenceOf, lossDecades, lossValueKey } from '../lib/divergence'
import { formatCount, formatHyper, formatLoss } from '../lib/format'
import { useAppStore } from '../stores/app'
import type { RunSeries } from '../stores/runs'

export function useDivergedRun(
  run: ComputedRef<RunRecord | null>,
  metrics: ComputedRef<{ series: RunSeries | null; version: number }>,
) {
  const { t } = useI18n()
  const app = useAppStore()

  const divergence = computed(() => (run.value ? divergenceOf(run.value, metrics.value.series) : null))

  /** A loss that spans orders of magnitude (one that blew up) is drawn on a log axis, or it is a line at 0. */
  const lossLog = computed(() => {
    void metrics.value.version
    const s = metrics.value.series
    return !!s && lossNeedsLog([s.losses])
  })
  const lossSpan = computed(() => {
    void metrics.value.version
    const s = metrics.value.series
    return lossLog.value && s ? lossDecades(s.losses) : 0
  })

  /** The planned iterations; for a diverged run, just past where the loss left the finite range. */
  const lossXMax = computed(() => {
    const r = run.value
    const d = divergence.value
    if (!r) return null
    if (!d) return r.progress.numIterations || null
    const end = Math.max(d.iteration ?? 0, d.lastFinite?.iteration ?? 0)
    return end > 0 ? Math.max(end + 1, Math.ceil(end * 1.05)) : null
  })

  const lossMarks = computed<ChartMark[]>(() => {
    const d = divergence.value
    if (!d) return []
    const marks: ChartMark[] = []
    if (d.iteration !== null) {
      marks.push({
        x: d.iteration,
        label: t('training.diverged.mark', { iteration: formatCount(d.iteration, app.locale) }),
      })
    }
    if (d.lastFinite) {
      marks.push({
        x: d.lastFinite.iteration,
        y: d.lastFinite.loss,
        label: t('training.diverged.lastFiniteMark', { loss: formatLoss(d.lastFinite.loss, app.locale) }),
      })
    }
    return marks
  })

  /** The banner, as sentences: where and how it diverged, the last finite loss, what to do instead. */
  const bannerText = computed(() => {
    const d = divergence.value
    if (!d) return null
    const locale = app.locale
    const what = t(`training.diverged.what.${lossValueKey(d.lossValue)}`)
    const lr = formatHyper(d.learningRate)
    const head =
      d.iteration !== null
        ? t('training.diverged.sentence', { iteration: formatCount(d.iteration, locale), what, lr })
        : t('training.diverged.sentenceNoIteration', { what, lr })
    const last = d.lastFinite
      ? t('training.diverged.lastFinite', {
          loss: formatLoss(d.lastFinite.loss, locale),
          iteration: formatCount(d.lastFinite.iteration, locale),
        })
      : ''
    // Chinese sentences follow each other without a space.
    const sep = locale === 'zh-CN' ? '' : ' '
    return { head, sep, rest: [last, t('training.diverged.advice')].filter(Boolean).join(sep) }
  })

  return { divergence, lossLog, lossSpan, lossXMax, lossMarks, bannerText }
}
