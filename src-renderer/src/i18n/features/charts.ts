/**
 * Messages of the charts feature (issue 13 §4: zoom, envelopes, smoothing), both languages side by
 * side; en.ts and zh-CN.ts mount them under 'charts'.
 */
export const en = {
  resetZoom: 'Reset zoom',
  resetZoomHint: 'Show the whole run again (scroll on a chart to zoom; the linked charts follow)',
  /** Under the run page's loss chart. */
  envelopeNote:
    'Smoothed over every logged step; the faint line is the raw loss, with each pixel’s lowest and highest step, so no spike is hidden.',
}

export const zhCN: typeof en = {
  resetZoom: '重置缩放',
  resetZoomHint: '重新显示整个运行（在图表上滚动可缩放，关联的图表随之缩放）',
  envelopeNote:
    '平滑基于每一个记录的步骤计算；浅色线是原始损失，包含每个像素内的最低和最高步骤，因此不会遗漏任何尖峰。',
}
