/**
 * Messages of the diagnosis feature, both languages side by side; en.ts and zh-CN.ts mount them under
 * 'diagnosis'. Only the panel's own chrome lives here: the findings' sentences come from
 * src-shared/diagnosisText.ts, which the exported report shares.
 */
export const en = {
  title: "What's wrong?",
  hint: 'Checks the curves, and the layer captures when the run has them, the way CS231n debugs training; updates as the run trains.',
  empty: 'Not enough training yet to judge: diagnosis starts after about 50 iterations.',
  suggestion: 'Try',
  severity: {
    error: 'Problem',
    warning: 'Warning',
    info: 'Note',
  },
}

export const zhCN: typeof en = {
  title: '哪里出了问题？',
  hint: '按 CS231n 调试训练的方法检查曲线（运行有逐层采集数据时也检查它们）；随训练进行实时更新。',
  empty: '训练数据还不够，暂无法判断：大约 50 次迭代后开始诊断。',
  suggestion: '建议',
  severity: {
    error: '问题',
    warning: '警告',
    info: '提示',
  },
}
