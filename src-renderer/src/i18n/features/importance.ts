/**
 * Messages of the sweep view's parameter-importance panel (issue 13, section 2), both languages side by
 * side; en.ts and zh-CN.ts mount them under 'importance'. Plural messages take the count as `n`.
 */
export const en = {
  title: 'Which hyperparameter mattered',
  method:
    'Importance is the share of the spread in best validation accuracy that a hyperparameter explains on its own: the main effect (fANOVA) of a random forest of {trees} trees fitted to these runs, log-scale ranges in log space. The forest is seeded, so the panel is the same on every visit. The correlation says which way the accuracy goes.',
  basis: 'Based on {used} of the sweep’s {total} runs.',
  diverged:
    '{n} run diverged and counts as the worst accuracy of the completed runs ({worst}): blowing up is what its hyperparameters did. | {n} runs diverged and count as the worst accuracy of the completed runs ({worst}): blowing up is what their hyperparameters did.',
  divergedUnranked:
    '{n} run diverged and is left out: no run completed to rank it against. | {n} runs diverged and are left out: no run completed to rank them against.',
  failed:
    '{n} run that failed for another reason (a crash, memory, the dataset) is left out: it says nothing about the accuracy. | {n} runs that failed for another reason (a crash, memory, the dataset) are left out: they say nothing about the accuracy.',
  unfinished:
    '{n} run that has not finished (queued, running, cancelled or interrupted) is left out. | {n} runs that have not finished (queued, running, cancelled or interrupted) are left out.',
  noValue:
    '{n} run has no usable value for a swept hyperparameter and is left out. | {n} runs have no usable value for a swept hyperparameter and are left out.',
  tooFew:
    'Too few runs to say yet: {used} finished, and comparing {params} needs at least {needed} (at least {min}, and {perParam} per hyperparameter that varies). With fewer, a random forest can rank a hyperparameter that does nothing as high as the one that matters.',
  paramsCount: '{n} hyperparameter | {n} hyperparameters',
  noVaried:
    'No hyperparameter took more than one value in the finished runs, so there is nothing to compare.',
  noSpread:
    'Every finished run reached the same best validation accuracy: no hyperparameter made a difference.',
  weakFit:
    'Weak evidence: the hyperparameters predict the accuracy of runs a tree did not train on hardly better than the average does (out-of-bag R² {fit}). The differences look like run-to-run noise; no hyperparameter clearly mattered.',
  fit: 'The forest predicts runs it did not train on with an out-of-bag R² of {fit}.',
  rest: 'Interactions between hyperparameters and run-to-run noise: {rest}.',
  columns: {
    param: 'Hyperparameter',
    importance: 'Importance',
    effect: 'Effect on best validation accuracy',
  },
  logScale: 'log scale',
  trend: {
    up: 'higher {param} → higher accuracy',
    down: 'higher {param} → lower accuracy',
    none: 'no steady trend: the best value lies in between',
    flat: 'no steady trend, and it barely matters',
  },
  withStrength: '{trend} ({strength})',
  strength: {
    weak: 'weak',
    moderate: 'moderate',
    strong: 'strong',
  },
  coefficients: 'Spearman ρ {rho}, Pearson r {r}',
  coefficientsLog: 'Spearman ρ {rho}, Pearson r of log {param} {r}',
  categories: 'Mean best validation accuracy per value:',
  category: '{value} {mean} ({n} run) | {value} {mean} ({n} runs)',
  single: 'took a single value in these runs, so its effect cannot be told',
}

export const zhCN: typeof en = {
  title: '哪个超参数起了作用',
  method:
    '重要性是某个超参数单独所能解释的最佳验证准确率差异所占的比例：对这些训练拟合 {trees} 棵树的随机森林后得到的主效应（fANOVA），对数尺度的范围在对数空间中计算。随机森林使用固定种子，因此每次打开本面板的结果都相同。相关系数表示准确率随其变化的方向。',
  basis: '依据此超参数搜索 {total} 个训练中的 {used} 个。',
  diverged:
    '{n} 个训练发散，按已完成训练中最差的准确率（{worst}）计入：发散正是其超参数造成的结果。 | {n} 个训练发散，按已完成训练中最差的准确率（{worst}）计入：发散正是其超参数造成的结果。',
  divergedUnranked:
    '{n} 个训练发散，未计入：没有已完成的训练可与之比较。 | {n} 个训练发散，未计入：没有已完成的训练可与之比较。',
  failed:
    '{n} 个因其他原因（崩溃、内存不足、数据集）失败的训练未计入：它们与准确率无关。 | {n} 个因其他原因（崩溃、内存不足、数据集）失败的训练未计入：它们与准确率无关。',
  unfinished:
    '{n} 个尚未完成的训练（排队中、运行中、已取消或已中断）未计入。 | {n} 个尚未完成的训练（排队中、运行中、已取消或已中断）未计入。',
  noValue: '{n} 个训练缺少某个搜索超参数的可用值，未计入。 | {n} 个训练缺少某个搜索超参数的可用值，未计入。',
  tooFew:
    '训练太少，暂时无法判断：已完成 {used} 个，而要比较 {params}，至少需要 {needed} 个（至少 {min} 个，且每个变化的超参数 {perParam} 个）。训练更少时，随机森林可能把毫无作用的超参数排得与真正起作用的一样高。',
  paramsCount: '{n} 个超参数 | {n} 个超参数',
  noVaried: '在已完成的训练中，没有超参数取过一个以上的值，因此无从比较。',
  noSpread: '所有已完成的训练都达到了相同的最佳验证准确率：没有超参数造成差异。',
  weakFit:
    '证据不足：对于树未训练过的训练，这些超参数对准确率的预测几乎不比平均值好（袋外 R² 为 {fit}）。这些差异看起来是训练之间的随机波动，没有哪个超参数明显起了作用。',
  fit: '对于随机森林拟合时未用到的训练，其预测的袋外 R² 为 {fit}。',
  rest: '超参数之间的交互作用以及训练之间的随机波动：{rest}。',
  columns: {
    param: '超参数',
    importance: '重要性',
    effect: '对最佳验证准确率的影响',
  },
  logScale: '对数尺度',
  trend: {
    up: '{param} 越高 → 准确率越高',
    down: '{param} 越高 → 准确率越低',
    none: '没有稳定的趋势：最佳值位于中间',
    flat: '没有稳定的趋势，且它几乎不起作用',
  },
  withStrength: '{trend}（{strength}）',
  strength: {
    weak: '弱',
    moderate: '中等',
    strong: '强',
  },
  coefficients: 'Spearman ρ {rho}，Pearson r {r}',
  coefficientsLog: 'Spearman ρ {rho}，log {param} 的 Pearson r {r}',
  categories: '每个取值的平均最佳验证准确率：',
  category: '{value} {mean}（{n} 个训练） | {value} {mean}（{n} 个训练）',
  single: '在这些训练中只取了一个值，因此无法判断其影响',
}
