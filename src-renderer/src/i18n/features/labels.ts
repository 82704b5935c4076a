/**
 * Names of things the app ships (the example presets, by file) and the short model summaries of the
 * tables; en.ts and zh-CN.ts mount them under 'labels'. lib/format.ts's modelSummary reads `model`.
 */
export const en = {
  presets: {
    'seed-two-layer': 'Seed: two-layer net',
    'fc-batchnorm': 'Three-layer net with batchnorm',
    'conv-three-layer': 'Three-layer conv net',
    'seed-random-search': 'Seed: random search',
  },
  model: {
    twoLayer: '2-layer {hidden}',
    fc: 'fc {dims}',
    conv: 'conv {filters}x{size}x{size} {hidden}',
    batchnorm: 'bn',
    layernorm: 'ln',
    keep: 'keep {p}',
  },
}

export const zhCN: typeof en = {
  presets: {
    'seed-two-layer': '种子项目：两层网络',
    'fc-batchnorm': '带批归一化的三层网络',
    'conv-three-layer': '三层卷积网络',
    'seed-random-search': '种子项目：随机搜索',
  },
  model: {
    twoLayer: '两层 {hidden}',
    fc: '全连接 {dims}',
    conv: '卷积 {filters}×{size}×{size} {hidden}',
    batchnorm: '批归一化',
    layernorm: '层归一化',
    keep: '保留 {p}',
  },
}
