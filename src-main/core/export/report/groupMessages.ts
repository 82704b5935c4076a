/**
 * The report's text about groups (issue 13: group and aggregate), apart from messages.ts so that the
 * grouped figures' wording stays in one place. Same keys in both languages (a type error otherwise).
 */
import type { ReportLocale } from './messages'

const en = {
  groups: 'Groups',
  caption: 'Runs grouped by {by}; n is the number of runs in a group.',
  byExceptSeed: 'everything except the seed',
  group: 'Group',
  runs: 'n',
  allRuns: 'All runs',
  legend: '{label} (n={n})',
  bestVal: 'Best val acc',
  testAcc: 'Test acc',
  spreadOf: '{center} ± std',
  lossCaption:
    'One line per group: the {center} of its runs’ losses, each smoothed first (exponential moving average, weight {weight}); band: {band}.',
  accuracyCaption:
    'One line per group: the {center} of its runs; solid: validation, dashed: training; band: {band}.',
  center_mean: 'mean',
  center_median: 'median',
  band_minmax: 'lowest to highest run',
  band_std: 'mean ± 1 sample standard deviation',
  band_ci95: '95% confidence interval of the mean (Student’s t)',
  members: 'Faint lines: each run on its own.',
  ends: 'A line ends where fewer than 2 of its group’s runs remain.',
  thinning: '{label}: {steps}.',
  step: '{n} runs up to iteration {x}',
  listSeparator: ', ',
}

export type GroupMessageKey = keyof typeof en

const zhCN: Record<GroupMessageKey, string> = {
  groups: '分组',
  caption: '按{by}分组；n 为组内运行数。',
  byExceptSeed: '除随机种子外的全部设置',
  group: '组',
  runs: 'n',
  allRuns: '全部运行',
  legend: '{label}（n={n}）',
  bestVal: '最佳验证准确率',
  testAcc: '测试准确率',
  spreadOf: '{center} ± 标准差',
  lossCaption:
    '每组一条曲线：组内运行损失的{center}，每条损失先做指数移动平均（权重 {weight}）；区间带：{band}。',
  accuracyCaption: '每组一条曲线：组内运行的{center}；实线：验证，虚线：训练；区间带：{band}。',
  center_mean: '均值',
  center_median: '中位数',
  band_minmax: '组内运行的最小值到最大值',
  band_std: '均值 ± 1 个样本标准差',
  band_ci95: '均值的 95% 置信区间（Student t 分布）',
  members: '浅色细线：各个运行本身。',
  ends: '组内剩余运行少于 2 个时曲线结束。',
  thinning: '{label}：{steps}。',
  step: '{n} 个运行到第 {x} 次迭代',
  listSeparator: '，',
}

const TABLES: Record<ReportLocale, Record<GroupMessageKey, string>> = { en, 'zh-CN': zhCN }

export type GroupTranslate = (key: GroupMessageKey, params?: Record<string, string | number>) => string

export function groupTranslator(locale: ReportLocale): GroupTranslate {
  const table = TABLES[locale]
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    )
}
