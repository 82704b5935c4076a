/**
 * Messages of "while it trains": speed and time left (run page, queue panel), a diverged run's banner,
 * chart marks and its "new run" offer, and the summary export. en.ts and zh-CN.ts mount them under
 * 'training'. Numbers arrive formatted in the UI's language.
 */
export const en = {
  speed: {
    rate: '{rate} it/s',
    left: '{time} left',
    measuring: 'measuring speed…',
    stalled: 'no progress for a while',
    estimate: 'about {time}',
    estimateHint: 'Estimated from the speed of a run like it',
    average: 'Speed',
    averageValue: '{rate} it/s',
    averageHint:
      'Iterations per second of training time (all attempts; the time between a stop and a resume is not counted)',
  },
  queue: {
    done: 'All done in about {time}, around {clock}',
    doneAtLeast:
      'All done in at least {time}: {n} run has no estimate yet | All done in at least {time}: {n} runs have no estimate yet',
    noEstimate: 'No estimate yet: the first speed is being measured',
  },
  diverged: {
    sentence: 'Training diverged at iteration {iteration}: {what} with learning rate {lr}.',
    sentenceNoIteration: 'Training diverged: {what} with learning rate {lr}.',
    what: {
      nan: 'the loss became NaN (not a number)',
      infinity: 'the loss became infinite',
      negativeInfinity: 'the scores overflowed and the loss came out as −∞',
      unknown: 'the loss stopped being a finite number',
    },
    lastFinite: 'The last finite loss was {loss}, at iteration {iteration}.',
    advice: 'Resuming would only diverge again: start a new run with a lower learning rate.',
    mark: 'diverged at {iteration}',
    lastFiniteMark: 'last finite loss {loss}',
    logScale: 'Logarithmic loss axis: the loss spans {n} orders of magnitude.',
    newRun: 'New run with learning rate {lr}',
    newRunShort: 'New run, lr {lr}',
    newRunHint: "Opens the New Run form with this run's config and the learning rate lowered tenfold",
    draftNote:
      'Drafted from the run “{name}”, which diverged: the learning rate is lowered from {from} to {to}. Check it, then queue it.',
  },
  exports: {
    'summary-csv': 'Summary (CSV, a row per run)',
    'summary-json': 'Summary (JSON, a row per run)',
    summary: 'Export a summary',
    summaryHint: 'Every hyperparameter and result, a row per run: of the selected runs, else of those shown',
  },
}

export const zhCN: typeof en = {
  speed: {
    rate: '{rate} 次迭代/秒',
    left: '剩余 {time}',
    measuring: '正在测量速度…',
    stalled: '已有一段时间没有进展',
    estimate: '约需 {time}',
    estimateHint: '根据类似训练的速度估算',
    average: '速度',
    averageValue: '{rate} 次迭代/秒',
    averageHint: '每秒训练时间的迭代次数（计入所有尝试；停止与继续之间的时间不计）',
  },
  queue: {
    done: '全部约 {time} 后完成，约在 {clock}',
    doneAtLeast: '全部至少 {time} 后完成：{n} 个训练尚无估算 | 全部至少 {time} 后完成：{n} 个训练尚无估算',
    noEstimate: '尚无估算：正在测量第一个速度',
  },
  diverged: {
    sentence: '训练在第 {iteration} 次迭代时发散：学习率为 {lr} 时，{what}。',
    sentenceNoIteration: '训练发散：学习率为 {lr} 时，{what}。',
    what: {
      nan: '损失变为 NaN（非数值）',
      infinity: '损失变为无穷大',
      negativeInfinity: '分数溢出，损失变为 −∞',
      unknown: '损失不再是有限数值',
    },
    lastFinite: '最后一个有限的损失值为 {loss}（第 {iteration} 次迭代）。',
    advice: '继续训练只会再次发散：请用更低的学习率新建训练。',
    mark: '第 {iteration} 次迭代发散',
    lastFiniteMark: '最后的有限损失 {loss}',
    logScale: '损失轴为对数刻度：损失跨越 {n} 个数量级。',
    newRun: '以学习率 {lr} 新建训练',
    newRunShort: '新建：学习率 {lr}',
    newRunHint: '打开新建训练表单，沿用此训练的配置，学习率降为十分之一',
    draftNote: '由发散的训练“{name}”起草：学习率已从 {from} 降为 {to}。请检查后加入队列。',
  },
  exports: {
    'summary-csv': '汇总（CSV，每个训练一行）',
    'summary-json': '汇总（JSON，每个训练一行）',
    summary: '导出汇总',
    summaryHint: '每个训练一行，包含全部超参数和结果：导出所选的训练，未选择时导出当前显示的训练',
  },
}
