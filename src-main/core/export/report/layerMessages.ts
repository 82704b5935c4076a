/**
 * The report's text about layer dynamics (issue 15), apart from messages.ts like groupMessages.ts. Same
 * keys in both languages (a type error otherwise).
 */
import type { ReportLocale } from './messages'

const en = {
  layers: 'Layer dynamics',
  ratioChart: 'Update/weight ratio per layer',
  ratioLayerChart: 'Update/weight ratio: {layer}',
  ratioCaption:
    'The size of each step against the size of the weights, ‖W after − W before‖ / ‖W‖, for each layer’s weights at each capture (log scale). Dashed line: 10⁻³, CS231n’s rule of thumb for a healthy learning rate; shaded: within half a decade of it. Far above the band the learning rate is probably too high, far below it too low.',
  ratioCompareCaption:
    'One chart per layer, one line per run: the update/weight ratio ‖ΔW‖ / ‖W‖ at each capture (log scale). Dashed line: 10⁻³; shaded: within half a decade of it.',
  ratioNone: 'No finite update/weight ratio was captured.',
  ratio: 'Update/weight ratio',
  histChart: '{layer}: histograms at iteration {iteration}',
  histCaption:
    'Share of values per bin at the last capture. The bins are the same for every quantity, layer and run: signed, ten per decade of magnitude, values under 10⁻⁸ in the middle bin (0). Solid: weights; dashed: gradients; dotted: activations (after the ReLU; the scores for the last layer have none).',
  value: 'Value (signed, log magnitude)',
  share: 'Share of values',
  weights: 'weights',
  gradients: 'gradients',
  activations: 'activations',
  thinned: '{shown} of {total} captures drawn, evenly spaced.',
  layersCapped: 'The first {shown} of {count} layers are shown.',
  runsWithout: 'No layer captures: {names}.',
  deadFraction: '{layer}: {dead} of its ReLU units dead on the last capture’s batch.',
}

export type LayerMessageKey = keyof typeof en

const zhCN: Record<LayerMessageKey, string> = {
  layers: '逐层动态',
  ratioChart: '各层的更新/权重比',
  ratioLayerChart: '更新/权重比：{layer}',
  ratioCaption:
    '每次采集时各层权重的更新幅度与权重幅度之比 ‖更新后 W − 更新前 W‖ / ‖W‖（对数坐标）。虚线：10⁻³，CS231n 给出的健康学习率经验值；阴影：其上下半个数量级以内。远高于该区间通常说明学习率过大，远低于则过小。',
  ratioCompareCaption:
    '每层一张图，每个运行一条曲线：每次采集时的更新/权重比 ‖ΔW‖ / ‖W‖（对数坐标）。虚线：10⁻³；阴影：其上下半个数量级以内。',
  ratioNone: '没有采集到有限的更新/权重比。',
  ratio: '更新/权重比',
  histChart: '{layer}：第 {iteration} 次迭代的直方图',
  histCaption:
    '最后一次采集时每个区间内数值的占比。所有量、所有层、所有运行使用相同的区间：带符号，每个数量级十个区间，绝对值小于 10⁻⁸ 的值落在中间区间（0）。实线：权重；虚线：梯度；点线：激活值（ReLU 之后；最后一层为分数，没有激活值）。',
  value: '数值（带符号，对数幅度）',
  share: '数值占比',
  weights: '权重',
  gradients: '梯度',
  activations: '激活值',
  thinned: '共 {total} 次采集，均匀选取其中 {shown} 次绘制。',
  layersCapped: '仅显示前 {shown} 层（共 {count} 层）。',
  runsWithout: '没有逐层采集：{names}。',
  deadFraction: '{layer}：最后一次采集的批次中 {dead} 的 ReLU 单元已死亡。',
}

const TABLES: Record<ReportLocale, Record<LayerMessageKey, string>> = { en, 'zh-CN': zhCN }

export type LayerTranslate = (key: LayerMessageKey, params?: Record<string, string | number>) => string

export function layerTranslator(locale: ReportLocale): LayerTranslate {
  const table = TABLES[locale]
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole,
    )
}
