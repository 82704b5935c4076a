/**
 * A sanity check as the UI says it, in the current language: its title, its numbers, and for a failed
 * check what to try. Static keys (not t(`checks.names.${name}`)) so the catalogue test sees every key.
 */
import type { SanityCheckResult } from '../../../src-shared/sanity'
import { formatPercent } from './format'

type T = (key: string, values?: Record<string, unknown>) => string

export interface CheckText {
  title: string
  detail: string
  /** What to try; null when the check passed. */
  advice: string | null
}

/** Four significant digits, exponent form for tiny or huge values; '—' for a missing or non-finite one. */
export function num(v: number | null | undefined, locale: string): string {
  if (v == null || !Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2)
  return new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 }).format(v)
}

export function checkText(check: SanityCheckResult, t: T, locale: string): CheckText {
  const m = check.measured
  const e = check.expected
  const n = (v: number | null | undefined): string => num(v, locale)
  const ran = Object.keys(m).length > 0
  const notRun = (title: string): CheckText => ({
    title,
    detail: t('checks.detail.notRun', { message: check.message }),
    advice: null,
  })
  switch (check.name) {
    case 'initial-loss': {
      const title = t('checks.names.initialLoss')
      if (!ran) return notRun(title)
      const low = m.loss != null && e.loss != null && m.loss < e.loss
      return {
        title,
        detail: t('checks.detail.initialLoss', {
          loss: n(m.loss),
          expected: n(e.loss),
          tolerance: n(e.tolerance),
        }),
        advice: check.passed
          ? null
          : low
            ? t('checks.advice.initialLossLow')
            : t('checks.advice.initialLoss'),
      }
    }
    case 'regularization': {
      const title = t('checks.names.regularization')
      if (!ran) return notRun(title)
      return {
        title,
        detail: t('checks.detail.regularization', {
          before: n(m.lossNoReg),
          after: n(m.lossWithReg),
          reg: n(m.reg),
        }),
        advice: check.passed ? null : t('checks.advice.regularization'),
      }
    }
    case 'gradient': {
      const title = t('checks.names.gradient')
      if (!ran) return notRun(title)
      const params = check.params ?? []
      const size = (v: number | null): number => (v === null ? Infinity : v)
      const worst = params.reduce<(typeof params)[number] | null>(
        (w, p) => (w === null || size(p.relError) > size(w.relError) ? p : w),
        null,
      )
      const failed = params.filter((p) => !p.passed).map((p) => p.name)
      return {
        title,
        detail: t('checks.detail.gradient', {
          error: n(m.worstRelError),
          param: worst?.name ?? '—',
          allowed: n(e.maxRelError),
        }),
        advice: check.passed ? null : t('checks.advice.gradient', { params: failed.join(', ') }),
      }
    }
    case 'overfit': {
      const title = t('checks.names.overfit')
      if (!ran) return notRun(title)
      return {
        title,
        detail: t('checks.detail.overfit', {
          acc: formatPercent(m.trainAcc, locale),
          n: n(m.examples),
          epochs: n(m.epochs),
          max: n(e.maxEpochs),
        }),
        advice: check.passed ? null : t('checks.advice.overfit'),
      }
    }
  }
}
