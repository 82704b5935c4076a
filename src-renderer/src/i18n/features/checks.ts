/** Messages of the checks feature, both languages side by side; en.ts and zh-CN.ts mount them under 'checks'. */
export const en = {}

export const zhCN: typeof en = {}
