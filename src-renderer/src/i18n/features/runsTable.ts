/**
 * Messages of the experiments table at scale (column chooser, sort, the filter language and its errors),
 * both languages side by side; en.ts and zh-CN.ts mount them under 'runsTable'. The filter's keywords
 * (and, or, not, tag: …) are the same in both languages: they are what the box reads.
 */
export const en = {
  columns: {
    finalTrain: 'Final train',
    speed: 'it/s',
    notes: 'Notes',
  },
  columnTitles: {
    speed: 'Iterations per second, over the run’s training time',
  },
  chooser: {
    button: 'Columns',
    title: 'Columns shown',
    groups: { run: 'Run', results: 'Results', config: 'Config' },
    onlyFor: 'only {kinds}',
    reset: 'Default columns',
    close: 'Close',
  },
  filter: {
    placeholder: 'Filter, e.g. (lr < 1e-3 or reg > 0.1) and not tag:baseline',
    help: 'Words match names and tags. Conditions such as lr < 1e-3, best > 85%, duration > 5m; tag:, name:, status:, model:, dataset:; combined with and, or, not and parentheses.',
    at: 'Character {pos}:',
    atEnd: 'At the end:',
    errors: {
      expectedValue: 'a number is missing after “{field} {op}”.',
      notNumber: '“{value}” is not a number: “{field} {op}” needs one, such as 0.001 or 1e-3.',
      badUnit: '{field} does not take “{unit}”; it takes {allowed}.',
      badUnitNone: '{field} does not take “{unit}”; give a plain number.',
      unknownField: 'there is no field “{name}” to compare.',
      unknownFieldNear: 'there is no field “{name}” to compare. Did you mean “{suggestion}”?',
      unclosedParen: 'this “(” is never closed: add a “)”.',
      unexpectedParen: 'this “)” closes nothing: remove it, or add a “(” before it.',
      emptyParens: 'there is nothing between these parentheses.',
      missingOperand: '“{keyword}” needs a condition or a word on each side.',
      missingNot: '“not” needs a condition or a word after it.',
      missingField: 'a field is missing before “{op}”, as in lr {op} 1e-3.',
      unclosedQuote: 'this quote is never closed: add a closing ".',
      emptyMatch: 'nothing follows “{field}:”; add a value after the colon.',
      badChoice: '{field} has no value “{value}”; it takes {allowed}.',
    },
    keptNote: 'The table keeps the last filter that could be read.',
    fields: 'Fields: {names}.',
  },
}

export const zhCN: typeof en = {
  columns: {
    finalTrain: '最终训练',
    speed: '迭代/秒',
    notes: '备注',
  },
  columnTitles: {
    speed: '每秒迭代次数（按训练时间计算）',
  },
  chooser: {
    button: '列',
    title: '显示的列',
    groups: { run: '运行', results: '结果', config: '配置' },
    onlyFor: '仅 {kinds}',
    reset: '默认列',
    close: '关闭',
  },
  filter: {
    placeholder: '筛选，例如 (lr < 1e-3 or reg > 0.1) and not tag:baseline',
    help: '词语匹配名称和标签。条件如 lr < 1e-3、best > 85%、duration > 5m；还有 tag:、name:、status:、model:、dataset:；可用 and、or、not 和括号组合。',
    at: '第 {pos} 个字符：',
    atEnd: '末尾：',
    errors: {
      expectedValue: '“{field} {op}”后面缺少数字。',
      notNumber: '“{value}”不是数字：“{field} {op}”需要一个数字，例如 0.001 或 1e-3。',
      badUnit: '{field} 不接受“{unit}”，它接受 {allowed}。',
      badUnitNone: '{field} 不接受“{unit}”，请填写不带单位的数字。',
      unknownField: '没有可比较的字段“{name}”。',
      unknownFieldNear: '没有可比较的字段“{name}”。是不是想输入“{suggestion}”？',
      unclosedParen: '这个“(”没有闭合：请加上“)”。',
      unexpectedParen: '这个“)”没有对应的“(”：请删除它，或在前面加上“(”。',
      emptyParens: '括号之间没有内容。',
      missingOperand: '“{keyword}”两边都需要条件或词语。',
      missingNot: '“not”后面需要条件或词语。',
      missingField: '“{op}”前面缺少字段，例如 lr {op} 1e-3。',
      unclosedQuote: '这个引号没有闭合：请加上结尾的 "。',
      emptyMatch: '“{field}:”后面没有内容，请在冒号后填写值。',
      badChoice: '{field} 没有“{value}”这个值，可选值为 {allowed}。',
    },
    keptNote: '表格仍按上一个能读懂的筛选条件显示。',
    fields: '字段：{names}。',
  },
}
