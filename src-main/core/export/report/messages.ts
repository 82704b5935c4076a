/**
 * The report's text in each language it is written in. Keys are shared, so a message missing in one
 * language is a type error rather than a blank in someone's report.
 */
export const REPORT_LOCALES = ['en', 'zh-CN'] as const
export type ReportLocale = (typeof REPORT_LOCALES)[number]

export function isReportLocale(v: unknown): v is ReportLocale {
  return typeof v === 'string' && (REPORT_LOCALES as readonly string[]).includes(v)
}

const en = {
  titleOne: 'Run report: {name}',
  titleMany: 'Report on {count} runs',
  generated: 'Generated {date} by Workbench {version}',
  charts: 'Training curves',
  lossChart: 'Loss per iteration',
  lossCaption: 'Solid: exponential moving average (weight {weight}); faint: raw loss.',
  lossCaptionRaw: 'Raw loss, not smoothed.',
  lossLogScale: 'Log scale: the losses span more than three orders of magnitude.',
  blewUpOne: 'One run blew up: {names}.',
  blewUpMany: 'These runs blew up: {names}.',
  andMore: '{names} and {count} more',
  legendKey: 'Names shortened in the legend',
  legendLabel: 'Legend',
  accuracyChart: 'Accuracy per epoch',
  accuracyCaption: 'Solid: validation accuracy; dashed: training accuracy.',
  iteration: 'Iteration',
  epoch: 'Epoch',
  loss: 'Loss',
  accuracy: 'Accuracy',
  train: 'train',
  val: 'val',
  noMetrics: 'No metrics recorded yet.',
  results: 'Results',
  run: 'Run',
  id: 'ID',
  status: 'Status',
  bestVal: 'Best val acc',
  valAcc: 'Val acc',
  testAcc: 'Test acc',
  iterations: 'Iterations',
  duration: 'Duration',
  environment: 'Environment',
  created: 'Created',
  config: 'Configuration',
  field: 'Field',
  value: 'Value',
  differing: 'Settings that differ',
  noDifferences: 'All runs share the same settings.',
  shared: 'Shared settings ({count})',
  mosaics: 'First-layer weights',
  mosaicCaption: 'Each tile is one hidden unit’s weights, scaled to its own range (epoch {epoch}).',
  noMosaic: 'No weight snapshot yet.',
  mosaicsCapped: 'Weights are shown for the first {shown} of {count} runs.',
  mosaicUnsupported: 'Not shown: these weights are not images ({shape}).',
  mosaicDamaged: 'The saved weights of epoch {epochs} are damaged and left out.',
  mosaicUnreadable: 'Not shown: every saved weight snapshot of this run is damaged.',
  confusion: 'Confusion matrix (test split)',
  confusionCaption: 'Rows: true class; columns: predicted class. Shading: share of the row.',
  perClass: 'Class accuracy',
  noConfusion: 'No test results yet: the run has not completed.',
  diagnosis: 'Diagnosis',
  userNotes: 'Notes',
  legendCapped: 'Legend omitted for {count} runs: colours match the results table.',
  none: '—',
  status_queued: 'queued',
  status_running: 'running',
  status_completed: 'completed',
  status_failed: 'failed',
  status_cancelled: 'cancelled',
  status_interrupted: 'interrupted',
  error: 'Error: {message}',
}

export type MessageKey = keyof typeof en

const zhCN: Record<MessageKey, string> = {
  titleOne: '运行报告：{name}',
  titleMany: '{count} 个运行的报告',
  generated: '由 Workbench {version} 于 {date} 生成',
  charts: '训练曲线',
  lossChart: '每次迭代的损失',
  lossCaption: '实线：指数移动平均（权重 {weight}）；浅色：原始损失。',
  lossCaptionRaw: '原始损失，未平滑。',
  lossLogScale: '对数刻度：损失跨越了三个以上数量级。',
  blewUpOne: '有一个运行训练发散：{names}。',
  blewUpMany: '以下运行训练发散：{names}。',
  andMore: '{names} 及另外 {count} 个',
  legendKey: '图例中缩短的名称',
  legendLabel: '图例',
  accuracyChart: '每轮的准确率',
  accuracyCaption: '实线：验证准确率；虚线：训练准确率。',
  iteration: '迭代',
  epoch: '轮次',
  loss: '损失',
  accuracy: '准确率',
  train: '训练',
  val: '验证',
  noMetrics: '尚无指标记录。',
  results: '结果',
  run: '运行',
  id: 'ID',
  status: '状态',
  bestVal: '最佳验证准确率',
  valAcc: '验证准确率',
  testAcc: '测试准确率',
  iterations: '迭代次数',
  duration: '用时',
  environment: '环境',
  created: '创建时间',
  config: '配置',
  field: '字段',
  value: '值',
  differing: '不同的设置',
  noDifferences: '所有运行的设置相同。',
  shared: '共同的设置（{count}）',
  mosaics: '第一层权重',
  mosaicCaption: '每个小图是一个隐藏单元的权重，按其自身范围缩放（第 {epoch} 轮）。',
  noMosaic: '尚无权重快照。',
  mosaicsCapped: '仅显示前 {shown} 个运行的权重（共 {count} 个）。',
  mosaicUnsupported: '未显示：这些权重不是图像（{shape}）。',
  mosaicDamaged: '第 {epochs} 轮保存的权重已损坏，未包含在内。',
  mosaicUnreadable: '未显示：此运行保存的所有权重快照均已损坏。',
  confusion: '混淆矩阵（测试集）',
  confusionCaption: '行：真实类别；列：预测类别。底色：占该行的比例。',
  perClass: '类别准确率',
  noConfusion: '尚无测试结果：运行尚未完成。',
  diagnosis: '诊断',
  userNotes: '备注',
  legendCapped: '共 {count} 个运行，未显示图例：颜色与结果表一致。',
  none: '—',
  status_queued: '排队中',
  status_running: '运行中',
  status_completed: '已完成',
  status_failed: '失败',
  status_cancelled: '已取消',
  status_interrupted: '已中断',
  error: '错误：{message}',
}

const TABLES: Record<ReportLocale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN }

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/** A translator for `locale`; `{name}` placeholders are filled from params (as given: callers format numbers). */
export function translator(locale: ReportLocale): Translate {
  const table = TABLES[locale]
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    )
}
