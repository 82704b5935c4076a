/**
 * Messages of grouping in the compare view (issue 13: group and aggregate), both languages side by side;
 * en.ts and zh-CN.ts mount them under 'groups'.
 */
export const en = {
  groupBy: 'Group by',
  none: 'Nothing',
  exceptSeed: 'Everything except the seed',
  fields: 'Config fields',
  fieldsHint: 'Runs with the same values of the ticked fields form one group.',
  center: 'Line',
  centers: { mean: 'Mean', median: 'Median' },
  band: 'Band',
  spreads: { minmax: 'Min–max', std: '± 1 std', ci95: '95% confidence interval' },
  members: 'Member runs',
  membersHint: 'Each run of a group as a thin, faint line behind the group’s line.',
  legend: '{label} (n={n})',
  allRuns: 'All runs',
  title: 'Groups',
  hint: {
    minmax: 'One line per group ({center}); the band spans its runs’ lowest to highest value.',
    std: 'One line per group ({center}); the band is the mean ± 1 sample standard deviation of its runs.',
    ci95: 'One line per group ({center}); the band is the 95% confidence interval of the mean (Student’s t for n runs).',
  },
  centerWord: { mean: 'mean', median: 'median' },
  smoothed: 'Losses are smoothed before they are aggregated.',
  thinning: '{label}: {steps}. The line ends where fewer than 2 of its runs remain.',
  step: '{n} runs up to {x}',
  noCurves: '{label}: no curves yet.',
}

export const zhCN: typeof en = {
  groupBy: '分组依据',
  none: '不分组',
  exceptSeed: '除随机种子外的全部设置',
  fields: '配置字段',
  fieldsHint: '所选字段取值相同的运行归为一组。',
  center: '曲线',
  centers: { mean: '均值', median: '中位数' },
  band: '区间带',
  spreads: { minmax: '最小值–最大值', std: '± 1 个标准差', ci95: '95% 置信区间' },
  members: '成员运行',
  membersHint: '把组内每个运行画成组曲线后面的一条浅色细线。',
  legend: '{label}（n={n}）',
  allRuns: '全部运行',
  title: '分组',
  hint: {
    minmax: '每组一条曲线（{center}）；区间带从组内运行的最小值到最大值。',
    std: '每组一条曲线（{center}）；区间带为组内运行的均值 ± 1 个样本标准差。',
    ci95: '每组一条曲线（{center}）；区间带为均值的 95% 置信区间（按 n 个运行的 Student t 分布）。',
  },
  centerWord: { mean: '均值', median: '中位数' },
  smoothed: '损失先平滑，再聚合。',
  thinning: '{label}：{steps}。组内剩余运行少于 2 个时曲线结束。',
  step: '{n} 个运行到 {x}',
  noCurves: '{label}：尚无曲线。',
}
