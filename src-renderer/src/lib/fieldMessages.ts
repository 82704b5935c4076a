/**
 * A field error worded for people in the UI's language, from its FieldIssue (src-shared/fieldIssue.ts):
 * the form's own checks and main's answers alike. An error without an issue (a message main makes for
 * which no issue exists, such as a memory budget) keeps its message.
 */
import type { FieldIssue, NumberRule } from '../../../src-shared/fieldIssue'

type Translate = (key: string, named?: Record<string, unknown>) => string

export interface ShownFieldError {
  message: string
  issue?: FieldIssue
  item?: number
}

export function fieldMessage(t: Translate, locale: string, error: ShownFieldError): string {
  const text = error.issue ? issueMessage(t, locale, error.issue) : null
  if (text === null) return error.message
  return error.item === undefined ? text : t('fieldErrors.item', { n: error.item, message: text })
}

/** null for an issue this version cannot word (from a newer main): the caller shows its message. */
export function issueMessage(t: Translate, locale: string, issue: FieldIssue): string | null {
  const num = (v: number): string => new Intl.NumberFormat(locale, { maximumFractionDigits: 12 }).format(v)
  switch (issue.code) {
    case 'required':
    case 'notANumber':
    case 'notAList':
    case 'noLayers':
    case 'brokenText':
    case 'datasetName':
    case 'notText':
    case 'invalid':
      return t(`fieldErrors.${issue.code}`)
    case 'number':
      return rangeMessage(t, num, issue)
    case 'textTooLong':
    case 'tooManyItems':
      return t(`fieldErrors.${issue.code}`, { max: num(issue.max) })
    case 'tooFewItems':
      return t('fieldErrors.tooFewItems', { min: num(issue.min) })
    case 'oneOf':
      return t('fieldErrors.oneOf', { options: issue.options.join(', ') })
    case 'unknownFields':
      return t('fieldErrors.unknownFields', { keys: issue.keys.join(', ') })
    case 'trainSplitTooLarge':
      return t('fieldErrors.trainSplitTooLarge', {
        numTraining: num(issue.numTraining),
        numValidation: num(issue.numValidation),
        available: num(issue.available),
        dataset: issue.dataset,
      })
    case 'testSplitTooLarge':
      return t('fieldErrors.testSplitTooLarge', {
        numTest: num(issue.numTest),
        available: num(issue.available),
        dataset: issue.dataset,
      })
    case 'batchTooLarge':
      return t('fieldErrors.batchTooLarge', {
        batchSize: num(issue.batchSize),
        numTraining: num(issue.numTraining),
      })
    default:
      return null
  }
}

function rangeMessage(t: Translate, num: (v: number) => string, rule: NumberRule): string {
  const min = rule.min ? num(rule.min.value) : ''
  const max = rule.max ? num(rule.max.value) : ''
  if (rule.integer) {
    // Integer bounds arrive inclusive (fieldIssue.ts turns "> 0" into "at least 1").
    if (rule.min && rule.max) return t('fieldErrors.int.range', { min, max })
    if (rule.min) return t('fieldErrors.int.min', { min })
    if (rule.max) return t('fieldErrors.int.max', { max })
    return t('fieldErrors.int.any')
  }
  if (rule.min && rule.max) {
    const key =
      rule.min.inclusive && rule.max.inclusive
        ? 'range'
        : rule.max.inclusive
          ? 'rangeOpenMin'
          : rule.min.inclusive
            ? 'rangeOpenMax'
            : 'rangeOpen'
    return t(`fieldErrors.real.${key}`, { min, max })
  }
  if (rule.min) return t(`fieldErrors.real.${rule.min.inclusive ? 'min' : 'gt'}`, { min })
  if (rule.max) return t(`fieldErrors.real.${rule.max.inclusive ? 'max' : 'lt'}`, { max })
  return t('fieldErrors.real.any')
}
