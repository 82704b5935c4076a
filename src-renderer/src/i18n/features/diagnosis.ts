/** Messages of the diagnosis feature, both languages side by side; en.ts and zh-CN.ts mount them under 'diagnosis'. */
export const en = {}

export const zhCN: typeof en = {}
