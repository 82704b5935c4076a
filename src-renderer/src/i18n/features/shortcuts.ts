/** The keyboard shortcuts and their help overlay; en.ts and zh-CN.ts mount them under 'shortcuts'. */
export const en = {
  title: 'Keyboard shortcuts',
  open: 'Keyboard shortcuts (?)',
  close: 'Close',
  hint: 'They work whenever the focus is not in a text field.',
  actions: {
    newRun: 'New run',
    search: 'Search the runs',
    compare: 'Compare the selected runs',
    delete: 'Delete the selected runs',
    help: 'Show or hide this help',
  },
  compareNeedsTwo: 'Select two or more runs in the table to compare them.',
}

export const zhCN: typeof en = {
  title: '键盘快捷键',
  open: '键盘快捷键（?）',
  close: '关闭',
  hint: '焦点不在文本框中时可用。',
  actions: {
    newRun: '新建训练',
    search: '搜索训练',
    compare: '比较所选训练',
    delete: '删除所选训练',
    help: '显示或隐藏此帮助',
  },
  compareNeedsTwo: '请先在表格中选择两个或更多训练再进行比较。',
}
