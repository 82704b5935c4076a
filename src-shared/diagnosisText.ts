/**
 * Human text for a Diagnosis, in English and Simplified Chinese, with its evidence numbers formatted by
 * Intl for the locale. Lives beside diagnose.ts rather than in vue-i18n because the exported HTML report
 * (built outside the renderer) writes the same sentences as the run page.
 *
 * `detail` says what was measured (the numbers), `suggestion` what to try; both are plain text.
 */
import type { Diagnosis, SuggestionKind } from './diagnose'

export type DiagnosisLocale = 'en' | 'zh-CN'

export interface DiagnosisText {
  title: string
  detail: string
  suggestion: string
}

/** The evidence, formatted: missing keys read as an em dash rather than "undefined" or "NaN". */
interface Fmt {
  /** A loss: 3 significant digits, scientific once it has exploded past a million. */
  loss(key: string): string
  /** An accuracy: 80.5%. */
  pct(key: string): string
  /** A relative change: -12%, +3.4%. */
  change(key: string): string
  /** A difference of accuracies in percentage points: 12.1. */
  points(key: string): string
  int(key: string): string
  /** A ratio: 3.2. */
  ratio(key: string): string
  lr(key: string): string
  /** An update/weight ratio or a scale factor: 3.2E-6, 0.045, 150. */
  sci(key: string): string
  /** A layer number as the captures name it: layer2. */
  layer(key: string): string
  has(key: string): boolean
  num(key: string): number | undefined
}

function formatter(evidence: Record<string, number>, locale: DiagnosisLocale): Fmt {
  const nf = (o: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, o)
  const sig3 = nf({ maximumSignificantDigits: 3 })
  const sci = nf({ notation: 'scientific', maximumSignificantDigits: 2 })
  // 'negative': a drop of -0.03% reads 0%, not -0%.
  const pct = nf({ style: 'percent', maximumFractionDigits: 1, signDisplay: 'negative' })
  const change = nf({ style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' })
  const points = nf({ maximumFractionDigits: 1 })
  const int = nf({ maximumFractionDigits: 0 })
  const ratio = nf({ maximumSignificantDigits: 2 })
  const with_ =
    (f: (v: number) => string) =>
    (key: string): string => {
      const v = evidence[key]
      return v === undefined || !Number.isFinite(v) ? '—' : f(v)
    }
  return {
    loss: with_((v) => (Math.abs(v) >= 1e6 ? sci.format(v) : sig3.format(v))),
    pct: with_((v) => pct.format(v)),
    change: with_((v) => change.format(v)),
    points: with_((v) => points.format(v * 100)),
    int: with_((v) => int.format(v)),
    ratio: with_((v) => (Math.abs(v) >= 1e6 ? sci.format(v) : ratio.format(v))),
    // Learning rates read as configs write them (1E-7); ordinary ones as plain decimals.
    lr: with_((v) => (v !== 0 && Math.abs(v) < 1e-2 ? sci.format(v) : sig3.format(v))),
    sci: with_((v) =>
      v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4) ? sci.format(v) : ratio.format(v),
    ),
    layer: with_((v) => `layer${int.format(v)}`),
    has: (key) => evidence[key] !== undefined,
    num: (key) => evidence[key],
  }
}

type Messages = {
  [K in Diagnosis['kind']]: (f: Fmt) => { title: string; detail: string }
} & { suggestions: { [S in SuggestionKind]: (f: Fmt) => string } }

const EN: Messages = {
  diverged: (f) => ({
    title: 'Training diverged',
    detail:
      (f.has('iteration')
        ? `The loss became NaN or infinite at iteration ${f.int('iteration')}.`
        : 'The loss became NaN or infinite.') +
      (f.has('lastLoss') ? ` The last finite loss was ${f.loss('lastLoss')}.` : ''),
  }),
  'lr-too-high': (f) => ({
    title: 'Learning rate too high',
    detail: f.has('reversals')
      ? `The smoothed loss swung up and down ${f.int('reversals')} times, by ${f.pct('swing')} on average, ` +
        'instead of falling steadily.' +
        enRatio(f, 'high')
      : f.has('minLoss')
        ? `The loss rose from its lowest ${f.loss('minLoss')} to ${f.loss('finalLoss')} (${f.ratio('ratio')}×).` +
          enRatio(f, 'high')
        : f.has('initialLoss')
          ? `The loss exploded from ${f.loss('initialLoss')} to ${f.loss('finalLoss')} (${f.ratio('ratio')}×).` +
            enRatio(f, 'high')
          : `Each step changes the weights of ${f.layer('ratioLayer')} by ${f.sci('updateRatio')} of their size ` +
            '(the update/weight ratio), far above the healthy 1E-3.',
  }),
  'lr-too-low': (f) => ({
    title: 'Learning rate too low',
    detail: f.has('chanceLoss')
      ? `The loss barely moved in ${f.int('iterations')} iterations: ${f.loss('initialLoss')} → ` +
        `${f.loss('finalLoss')} (${f.pct('drop')} lower), still near chance, ln C = ${f.loss('chanceLoss')}.` +
        (f.has('trainGain')
          ? ` Training accuracy still rose ${f.points('trainGain')} points over the last 2 epochs: ` +
            'the model learns, only in tiny steps.'
          : '') +
        enRatio(f, 'low')
      : f.has('rateRatio')
        ? `The loss falls almost in a straight line (${f.loss('initialLoss')} → ${f.loss('finalLoss')} in ` +
          `${f.int('iterations')} iterations) and at the end still drops at ${f.pct('rateRatio')} of its ` +
          'average rate, instead of falling fast and then levelling off.' +
          enRatio(f, 'low')
        : `Even ${f.layer('ratioLayer')}, the layer updated the most, changes by only ${f.sci('updateRatio')} ` +
          'of its weights per step (the update/weight ratio), far below the healthy 1E-3.',
  }),
  underfitting: (f) => ({
    title: 'Underfitting (low capacity)',
    detail:
      `Training (${f.pct('trainAcc')}) and validation (${f.pct('valAcc')}) accuracy are close ` +
      `(${f.points('gap')} points apart) and low; chance is ${f.pct('chanceAcc')}. ` +
      'The model cannot fit even the training data.',
  }),
  'still-improving': (f) => ({
    title: 'Stopped while still improving',
    detail:
      `After ${f.int('epochs')} epochs training accuracy (${f.pct('trainAcc')}) and validation accuracy ` +
      `(${f.pct('valAcc')}) are still low, but training accuracy rose ${f.points('trainGain')} points ` +
      'over the last 2 epochs: the model had not finished learning.',
  }),
  overfitting: (f) => ({
    title: 'Overfitting',
    detail:
      `Training accuracy (${f.pct('trainAcc')}) is ${f.points('gap')} points above validation ` +
      `(${f.pct('valAcc')}), and the gap grew by ${f.points('gapGrowth')} points. ` +
      `Best validation: ${f.pct('bestValAcc')} at epoch ${f.int('bestEpoch')}.`,
  }),
  plateau: (f) => ({
    title: 'Plateau',
    detail:
      `Over the last ${f.int('tailIterations')} iterations the loss changed by only ${f.change('lossChange')}, ` +
      `and validation accuracy over the last ${f.int('valEpochs')} epochs gained ${f.points('valChange')} ` +
      `points (best ${f.pct('bestValAcc')}).`,
  }),
  healthy: (f) => ({
    title: 'Nothing looks wrong',
    detail:
      `The loss fell from ${f.loss('initialLoss')} to ${f.loss('finalLoss')} in ${f.int('iterations')} ` +
      'iterations, with no sign of a learning-rate, capacity or overfitting problem' +
      (f.has('valAcc') ? `; validation accuracy ${f.pct('valAcc')}.` : '.'),
  }),
  'dead-relus': (f) => ({
    title: 'Dead ReLUs',
    detail:
      `${f.pct('deadFraction')} of the ${f.int('units')} ReLUs of ${f.layer('layer')} output zero for every ` +
      'example of the batch, so no gradient flows through them' +
      (f.has('firstDeadFraction') && (f.num('firstDeadFraction') ?? 0) >= 0.5
        ? `; ${f.pct('firstDeadFraction')} were dead from the first capture on.`
        : `; at the first capture only ${f.pct('firstDeadFraction')} were: training knocked them out.`),
  }),
  'vanishing-gradients': (f) => ({
    title: 'Vanishing gradients',
    detail:
      `On its way back the gradient shrinks about ${f.sci('perLayer')}× per layer: ${f.layer('fromLayer')} ` +
      `receives ${f.sci('gradFactor')} of the gradient ${f.layer('toLayer')} does` +
      (f.has('actFactor')
        ? `, and the activations shrink to ${f.sci('actFactor')} of their size from the first hidden layer to the last.`
        : '.'),
  }),
  'exploding-gradients': (f) => ({
    title: 'Exploding gradients',
    detail:
      `On its way back the gradient grows about ${f.sci('perLayer')}× per layer: ${f.layer('fromLayer')} ` +
      `receives ${f.sci('gradFactor')}× the gradient ${f.layer('toLayer')} does` +
      (f.has('actFactor')
        ? `, and the activations grow ${f.sci('actFactor')}× from the first hidden layer to the last.`
        : '.'),
  }),
  'saturated-batchnorm': (f) => ({
    title: 'Saturated batchnorm',
    detail:
      `${f.pct('saturatedFraction')} of the batch-normalised values of ${f.layer('layer')} lie more than 3 ` +
      `standard deviations out (a Gaussian has ${f.pct('gaussianFraction')}): a few extreme inputs dominate ` +
      'the batch statistics and squash the rest.',
  }),
  'stopped-learning': (f) => ({
    title: 'A layer stopped learning',
    detail:
      `The update/weight ratio of ${f.layer('layer')} fell to ${f.sci('recentRatio')}, from ` +
      `${f.sci('earlierRatio')} earlier` +
      (f.has('since') ? ` (since iteration ${f.int('since')})` : '') +
      `, while the other layers still update at ${f.sci('otherRatio')}: its weights no longer change.`,
  }),
  suggestions: {
    'lower-lr': (f) =>
      'Lower the learning rate 3–10×' + (f.has('learningRate') ? ` (now ${f.lr('learningRate')}).` : '.'),
    'raise-lr': (f) =>
      'Raise the learning rate about 10×' +
      (f.has('learningRate') ? ` (now ${f.lr('learningRate')})` : '') +
      '; search it on a log scale.',
    'bigger-model': () => 'Use a bigger model (more hidden units or layers) or less regularization.',
    'train-longer': () =>
      'Train for more epochs (or raise the learning rate a little) before judging its capacity.',
    'more-reg': () =>
      'Increase regularization (reg, dropout), train on more data, or keep the best epoch (early stopping).',
    'lr-decay': (f) =>
      'Decay the learning rate (lrDecay 0.9–0.95 per epoch) or lower it 10× once the curve flattens' +
      (f.has('learningRate') ? ` (now ${f.lr('learningRate')}).` : '.'),
    none: () => 'Keep watching the gap between training and validation accuracy.',
    'fix-init': () =>
      'Initialise the weights with He scaling (std √(2 / fan-in)) and zero biases, or add batchnorm.',
    'normalize-inputs': () =>
      'Preprocess the inputs (subtract the mean, scale to unit variance) and look for outlier examples; ' +
      'a larger batch steadies the statistics.',
    'check-updates': () =>
      "Check that the layer's parameters are still updated (frozen, a learning rate of 0 for them, a " +
      'gradient that does not reach them) and whether the units feeding it died.',
  },
}

function enRatio(f: Fmt, direction: 'high' | 'low'): string {
  if (!f.has('updateRatio')) return ''
  return ` The update/weight ratio agrees: ${f.sci('updateRatio')} in ${f.layer('ratioLayer')}, ${direction === 'high' ? 'far above' : 'below'} the healthy 1E-3.`
}

const ZH: Messages = {
  diverged: (f) => ({
    title: '训练发散',
    detail:
      (f.has('iteration')
        ? `损失在第 ${f.int('iteration')} 次迭代时变为 NaN 或无穷大。`
        : '损失变为 NaN 或无穷大。') +
      (f.has('lastLoss') ? `最后一个有限的损失值为 ${f.loss('lastLoss')}。` : ''),
  }),
  'lr-too-high': (f) => ({
    title: '学习率过高',
    detail: f.has('reversals')
      ? `平滑后的损失上下摆动了 ${f.int('reversals')} 次，平均幅度 ${f.pct('swing')}，而不是稳步下降。` +
        zhRatio(f, 'high')
      : f.has('minLoss')
        ? `损失从最低的 ${f.loss('minLoss')} 回升到 ${f.loss('finalLoss')}（${f.ratio('ratio')} 倍）。` +
          zhRatio(f, 'high')
        : f.has('initialLoss')
          ? `损失从 ${f.loss('initialLoss')} 暴涨到 ${f.loss('finalLoss')}（${f.ratio('ratio')} 倍）。` +
            zhRatio(f, 'high')
          : `每一步对 ${f.layer('ratioLayer')} 权重的改变量达到权重大小的 ${f.sci('updateRatio')}` +
            '（更新/权重比），远高于健康的 1E-3。',
  }),
  'lr-too-low': (f) => ({
    title: '学习率过低',
    detail: f.has('chanceLoss')
      ? `${f.int('iterations')} 次迭代中损失几乎没有变化：${f.loss('initialLoss')} → ${f.loss('finalLoss')}` +
        `（下降 ${f.pct('drop')}），仍接近随机猜测水平 ln C = ${f.loss('chanceLoss')}。` +
        (f.has('trainGain')
          ? `训练准确率在最后 2 轮仍提高了 ${f.points('trainGain')} 个百分点：模型在学习，只是步子太小。`
          : '') +
        zhRatio(f, 'low')
      : f.has('rateRatio')
        ? `损失近乎直线下降（${f.int('iterations')} 次迭代中 ${f.loss('initialLoss')} → ${f.loss('finalLoss')}），` +
          `到最后仍以平均速度的 ${f.pct('rateRatio')} 在下降，而不是先快速下降再趋于平缓。` +
          zhRatio(f, 'low')
        : `即使是更新最多的 ${f.layer('ratioLayer')}，每一步也只改变其权重的 ${f.sci('updateRatio')}` +
          '（更新/权重比），远低于健康的 1E-3。',
  }),
  underfitting: (f) => ({
    title: '欠拟合（模型容量不足）',
    detail:
      `训练准确率（${f.pct('trainAcc')}）与验证准确率（${f.pct('valAcc')}）接近（相差 ${f.points('gap')} 个百分点）` +
      `且都偏低；随机猜测为 ${f.pct('chanceAcc')}。模型连训练数据都拟合不了。`,
  }),
  'still-improving': (f) => ({
    title: '停止时仍在提升',
    detail:
      `训练 ${f.int('epochs')} 轮后，训练准确率（${f.pct('trainAcc')}）和验证准确率（${f.pct('valAcc')}）仍然偏低，` +
      `但训练准确率在最后 2 轮提高了 ${f.points('trainGain')} 个百分点：模型还没有学完。`,
  }),
  overfitting: (f) => ({
    title: '过拟合',
    detail:
      `训练准确率（${f.pct('trainAcc')}）比验证准确率（${f.pct('valAcc')}）高 ${f.points('gap')} 个百分点，` +
      `且差距扩大了 ${f.points('gapGrowth')} 个百分点。最佳验证准确率：第 ${f.int('bestEpoch')} 轮的 ${f.pct('bestValAcc')}。`,
  }),
  plateau: (f) => ({
    title: '进入平台期',
    detail:
      `最近 ${f.int('tailIterations')} 次迭代中损失只变化了 ${f.change('lossChange')}，` +
      `最近 ${f.int('valEpochs')} 轮的验证准确率只提高了 ${f.points('valChange')} 个百分点（最佳 ${f.pct('bestValAcc')}）。`,
  }),
  healthy: (f) => ({
    title: '未发现问题',
    detail:
      `${f.int('iterations')} 次迭代中损失从 ${f.loss('initialLoss')} 降到 ${f.loss('finalLoss')}，` +
      '没有学习率、模型容量或过拟合方面的问题迹象' +
      (f.has('valAcc') ? `；验证准确率 ${f.pct('valAcc')}。` : '。'),
  }),
  'dead-relus': (f) => ({
    title: 'ReLU 神经元死亡',
    detail:
      `${f.layer('layer')} 的 ${f.int('units')} 个 ReLU 中有 ${f.pct('deadFraction')} 对批次中的每个样本都输出 0，` +
      '梯度无法从它们流过' +
      (f.has('firstDeadFraction') && (f.num('firstDeadFraction') ?? 0) >= 0.5
        ? `；从第一次采集起就有 ${f.pct('firstDeadFraction')} 已经死亡。`
        : `；第一次采集时只有 ${f.pct('firstDeadFraction')}：是训练过程让它们死亡的。`),
  }),
  'vanishing-gradients': (f) => ({
    title: '梯度消失',
    detail:
      `梯度在反向传播中每经过一层约缩小为 ${f.sci('perLayer')} 倍：${f.layer('fromLayer')} 收到的梯度只有 ` +
      `${f.layer('toLayer')} 的 ${f.sci('gradFactor')}` +
      (f.has('actFactor') ? `，激活值从第一个隐藏层到最后一个缩小为 ${f.sci('actFactor')}。` : '。'),
  }),
  'exploding-gradients': (f) => ({
    title: '梯度爆炸',
    detail:
      `梯度在反向传播中每经过一层约放大 ${f.sci('perLayer')} 倍：${f.layer('fromLayer')} 收到的梯度是 ` +
      `${f.layer('toLayer')} 的 ${f.sci('gradFactor')} 倍` +
      (f.has('actFactor') ? `，激活值从第一个隐藏层到最后一个放大了 ${f.sci('actFactor')} 倍。` : '。'),
  }),
  'saturated-batchnorm': (f) => ({
    title: '批归一化饱和',
    detail:
      `${f.layer('layer')} 批归一化后的值中有 ${f.pct('saturatedFraction')} 偏离超过 3 个标准差` +
      `（高斯分布为 ${f.pct('gaussianFraction')}）：少数极端输入主导了批次统计量，压扁了其余的值。`,
  }),
  'stopped-learning': (f) => ({
    title: '某一层停止学习',
    detail:
      `${f.layer('layer')} 的更新/权重比从之前的 ${f.sci('earlierRatio')} 降到了 ${f.sci('recentRatio')}` +
      (f.has('since') ? `（自第 ${f.int('since')} 次迭代起）` : '') +
      `，而其他层仍以 ${f.sci('otherRatio')} 更新：它的权重不再变化。`,
  }),
  suggestions: {
    'lower-lr': (f) =>
      '将学习率降低 3–10 倍' + (f.has('learningRate') ? `（当前为 ${f.lr('learningRate')}）。` : '。'),
    'raise-lr': (f) =>
      '将学习率提高约 10 倍' +
      (f.has('learningRate') ? `（当前为 ${f.lr('learningRate')}）` : '') +
      '，并在对数尺度上搜索。',
    'bigger-model': () => '使用更大的模型（更多隐藏单元或层数），或减小正则化。',
    'train-longer': () => '先多训练几轮（或稍微提高学习率），再判断模型容量是否足够。',
    'more-reg': () => '加强正则化（reg、dropout），使用更多训练数据，或保留最佳轮次（提前停止）。',
    'lr-decay': (f) =>
      '让学习率衰减（每轮 lrDecay 0.9–0.95），或在曲线变平时将其降低 10 倍' +
      (f.has('learningRate') ? `（当前为 ${f.lr('learningRate')}）。` : '。'),
    none: () => '继续关注训练与验证准确率之间的差距。',
    'fix-init': () => '用 He 初始化权重（标准差 √(2 / 扇入)）并将偏置设为 0，或加入批归一化。',
    'normalize-inputs': () =>
      '预处理输入（减去均值、缩放到单位方差）并检查离群样本；更大的批次能让统计量更稳定。',
    'check-updates': () =>
      '检查该层的参数是否仍在更新（被冻结、其学习率为 0、梯度没有传到它），以及为它提供输入的单元是否已经死亡。',
  },
}

function zhRatio(f: Fmt, direction: 'high' | 'low'): string {
  if (!f.has('updateRatio')) return ''
  return `更新/权重比也印证了这一点：${f.layer('ratioLayer')} 为 ${f.sci('updateRatio')}，${direction === 'high' ? '远高于' : '低于'}健康的 1E-3。`
}

const MESSAGES: Record<DiagnosisLocale, Messages> = { en: EN, 'zh-CN': ZH }

export function describeDiagnosis(d: Diagnosis, locale: DiagnosisLocale): DiagnosisText {
  const messages = MESSAGES[locale] ?? EN
  const f = formatter(d.evidence, locale)
  return { ...messages[d.kind](f), suggestion: messages.suggestions[d.suggestion](f) }
}
