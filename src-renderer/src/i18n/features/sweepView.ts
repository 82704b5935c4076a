/** Messages of the sweep view, both languages side by side; en.ts and zh-CN.ts mount them under 'sweepView'. */
export const en = {
  back: 'Experiments',
  loading: 'Loading the sweep…',
  notFound: 'There is no sweep {id}.',
  loadFailed: 'The sweep could not be loaded: {message}',
  methods: {
    grid: 'Grid search',
    random: 'Random search',
  },
  created: 'Queued {date}',
  finished: '{done} of {total} runs finished',
  corruptTitle:
    '{n} run of this sweep cannot be read and is left out: | {n} runs of this sweep cannot be read and are left out:',
  corruptRun: '{id}: {message} (in {file})',
  showRuns: 'Show its runs in Experiments',
  openSweep: 'Open the sweep',
  edgeTitle: 'The best run sits at the edge of the searched range',
  edge: {
    max: '{param}: the best run used {value}, at the top of the searched range [{min}, {max}]. The optimum may lie above it: widen the range upwards.',
    min: '{param}: the best run used {value}, at the bottom of the searched range [{min}, {max}]. The optimum may lie below it: widen the range downwards.',
  },
  refine: 'Narrow the search around the best runs',
  refineHint:
    'Drafts a finer random search around the top {k} runs (reaching past a range edge where the best run sits), for you to review before queueing.',
  noResults: 'No run of this sweep has finished yet; the charts fill in as results arrive.',
  parallel: 'Parallel coordinates',
  parallelHint:
    'One line per finished run, coloured by best validation accuracy; the top {k} are drawn thick. Click a line to open its run.',
  scatter: 'Each hyperparameter against best validation accuracy',
  bestVal: 'Best val acc',
  topSeries: 'Top {k}',
  others: 'Other runs',
  table: 'Best runs',
  topK: 'Top',
  compare: 'Compare top {k}',
  columns: {
    rank: '#',
    run: 'Run',
    bestVal: 'Best val',
    test: 'Test',
  },
  draftFrom:
    'Drafted from the sweep “{name}”: its ranges are narrowed around the best runs. Review it, then queue it.',
}

export const zhCN: typeof en = {
  back: '实验',
  loading: '正在加载超参数搜索…',
  notFound: '找不到超参数搜索 {id}。',
  loadFailed: '无法加载此超参数搜索：{message}',
  methods: {
    grid: '网格搜索',
    random: '随机搜索',
  },
  created: '排队于 {date}',
  finished: '已完成 {done} / {total} 个训练',
  corruptTitle:
    '此超参数搜索有 {n} 个训练无法读取，未包含在内： | 此超参数搜索有 {n} 个训练无法读取，未包含在内：',
  corruptRun: '{id}：{message}（文件：{file}）',
  showRuns: '在实验列表中查看其训练',
  openSweep: '打开超参数搜索',
  edgeTitle: '最佳训练位于搜索范围的边缘',
  edge: {
    max: '{param}：最佳训练使用了 {value}，位于搜索范围 [{min}, {max}] 的上端。最优值可能在此范围之上：请向上扩大范围。',
    min: '{param}：最佳训练使用了 {value}，位于搜索范围 [{min}, {max}] 的下端。最优值可能在此范围之下：请向下扩大范围。',
  },
  refine: '在最佳训练附近缩小搜索范围',
  refineHint:
    '围绕前 {k} 个训练起草一个更精细的随机搜索（若最佳训练位于范围边缘，则越过该边缘），供您检查后再加入队列。',
  noResults: '此超参数搜索尚无已完成的训练；图表会随结果到达而填充。',
  parallel: '平行坐标图',
  parallelHint:
    '每条线代表一个已完成的训练，颜色表示最佳验证准确率；前 {k} 名以粗线绘制。点击线条可打开对应训练。',
  scatter: '各超参数与最佳验证准确率',
  bestVal: '最佳验证准确率',
  topSeries: '前 {k} 名',
  others: '其他训练',
  table: '最佳训练',
  topK: '前',
  compare: '比较前 {k} 名',
  columns: {
    rank: '#',
    run: '训练',
    bestVal: '最佳验证',
    test: '测试',
  },
  draftFrom: '由超参数搜索“{name}”起草：其范围已在最佳训练附近缩小。请检查后加入队列。',
}
