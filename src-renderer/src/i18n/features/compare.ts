/** Messages of the compare feature, both languages side by side; en.ts and zh-CN.ts mount them under 'compare'. */
export const en = {}

export const zhCN: typeof en = {}
