/**
 * Messages of the sanity-checks feature, both languages side by side; en.ts and zh-CN.ts mount them
 * under 'checks'. The numbers come from the report (src-shared/sanity.ts) and are formatted here, so
 * that both languages say the same thing; the engine's English sentence stays a tooltip.
 */
export const en = {
  run: 'Run sanity checks',
  running: 'Checking…',
  hint: 'Initial loss, regularisation, gradient check and overfitting 50 examples, in a few seconds.',
  title: 'Sanity checks',
  passed: 'All checks passed',
  failed: 'Some checks failed',
  stale: 'The config changed since these checks ran; run them again.',
  stored: 'Stored with the run when you queue this config.',
  pass: 'pass',
  fail: 'fail',
  ranIn: 'seed {seed} · {time}',
  fromWorker: 'run by the worker before training',
  fromRequest: 'run before queuing',
  names: {
    initialLoss: 'Initial loss ≈ ln(C)',
    regularization: 'Regularisation raises the loss',
    gradient: 'Gradient check',
    overfit: 'Overfit 50 examples',
  },
  detail: {
    initialLoss: 'loss {loss}, expected {expected} ± {tolerance}',
    regularization: 'loss {before} → {after} with reg {reg}',
    gradient: 'worst relative error {error} ({param}), allowed {allowed}',
    overfit: '{acc} train accuracy on {n} examples after {epochs} epochs (at most {max})',
    notRun: 'could not run: {message}',
  },
  advice: {
    initialLoss: 'The initial weights are probably too large: lower weightScale.',
    initialLossLow: 'A loss below chance at initialisation points at the loss or the labels.',
    regularization: 'The model ignores its regularisation strength.',
    gradient: 'The analytic gradient of {params} disagrees with the numerical one.',
    overfit: 'Try a larger learning rate or model, or look for a bug in the backward pass.',
  },
}

export const zhCN: typeof en = {
  run: '运行健全性检查',
  running: '检查中…',
  hint: '初始损失、正则化、梯度检查以及对 50 个样本过拟合，只需几秒钟。',
  title: '健全性检查',
  passed: '全部检查通过',
  failed: '部分检查未通过',
  stale: '配置在检查之后已更改，请重新运行检查。',
  stored: '按此配置加入队列时，检查结果会随训练一起保存。',
  pass: '通过',
  fail: '未通过',
  ranIn: '种子 {seed} · {time}',
  fromWorker: '训练前由工作线程运行',
  fromRequest: '加入队列前运行',
  names: {
    initialLoss: '初始损失 ≈ ln(C)',
    regularization: '正则化使损失升高',
    gradient: '梯度检查',
    overfit: '过拟合 50 个样本',
  },
  detail: {
    initialLoss: '损失 {loss}，预期 {expected} ± {tolerance}',
    regularization: '正则化强度 {reg} 时损失 {before} → {after}',
    gradient: '最大相对误差 {error}（{param}），允许 {allowed}',
    overfit: '{epochs} 轮后在 {n} 个样本上训练准确率为 {acc}（最多 {max} 轮）',
    notRun: '无法运行：{message}',
  },
  advice: {
    initialLoss: '初始权重可能过大：请调小 weightScale。',
    initialLossLow: '初始化时损失低于随机水平，说明损失函数或标签有误。',
    regularization: '模型没有使用正则化强度。',
    gradient: '{params} 的解析梯度与数值梯度不一致。',
    overfit: '请尝试更大的学习率或模型，或检查反向传播是否有错误。',
  },
}
