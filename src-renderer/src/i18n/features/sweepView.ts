/** Messages of the sweep view, both languages side by side; en.ts and zh-CN.ts mount them under 'sweepView'. */
export const en = {}

export const zhCN: typeof en = {}
