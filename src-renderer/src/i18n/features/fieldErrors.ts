/**
 * What is wrong with a form field, for people, both languages side by side; en.ts and zh-CN.ts mount
 * them under 'fieldErrors'. Each message comes from a FieldIssue (src-shared/fieldIssue.ts), never from
 * the schema's own English text. Numbers arrive formatted for the language.
 */
export const en = {
  required: 'Required: enter a value.',
  notANumber: 'Not a number: write it like 0.001 or 1e-3.',
  notAList: 'Write the sizes as numbers separated by commas, e.g. 100, 100.',
  noLayers: 'Give at least one hidden layer size, e.g. 100, 100.',
  int: {
    range: 'Enter a whole number from {min} to {max}.',
    min: 'Enter a whole number of at least {min}.',
    max: 'Enter a whole number of at most {max}.',
    any: 'Enter a whole number.',
  },
  real: {
    range: 'Enter a number from {min} to {max}.',
    rangeOpenMin: 'Enter a number greater than {min} and at most {max}.',
    rangeOpenMax: 'Enter a number of at least {min} and less than {max}.',
    rangeOpen: 'Enter a number greater than {min} and less than {max}.',
    min: 'Enter a number of at least {min}.',
    gt: 'Enter a number greater than {min}.',
    max: 'Enter a number of at most {max}.',
    lt: 'Enter a number less than {max}.',
    any: 'Enter a number.',
  },
  textTooLong: 'Too long: at most {max} characters.',
  tooManyItems: 'Too many: at most {max}.',
  tooFewItems: 'Too few: at least {min}.',
  oneOf: 'Choose one of: {options}.',
  unknownFields: 'Not a setting this version knows: {keys}.',
  brokenText: 'Contains a broken character (half of one, from a faulty encoder): type it again.',
  datasetName: 'A dataset name has only lowercase letters, digits, - and _.',
  notText: 'Enter text.',
  invalid: 'This value is not accepted.',
  item: 'Item {n}: {message}',
  trainSplitTooLarge:
    '{numTraining} training and {numValidation} validation images are more than the {available} training images of {dataset} (validation images come from the training split).',
  testSplitTooLarge: '{dataset} has {available} test images, fewer than {numTest}.',
  batchTooLarge:
    'A batch of {batchSize} is larger than the {numTraining} training images this run uses: choose at most {numTraining}.',
}

export const zhCN: typeof en = {
  required: '必填：请输入一个值。',
  notANumber: '不是数字：请写成 0.001 或 1e-3 这样的形式。',
  notAList: '请用逗号分隔各层大小，例如 100, 100。',
  noLayers: '请至少给出一个隐藏层大小，例如 100, 100。',
  int: {
    range: '请输入 {min} 到 {max} 之间的整数。',
    min: '请输入不小于 {min} 的整数。',
    max: '请输入不大于 {max} 的整数。',
    any: '请输入整数。',
  },
  real: {
    range: '请输入 {min} 到 {max} 之间的数（含两端）。',
    rangeOpenMin: '请输入大于 {min} 且不大于 {max} 的数。',
    rangeOpenMax: '请输入不小于 {min} 且小于 {max} 的数。',
    rangeOpen: '请输入大于 {min} 且小于 {max} 的数。',
    min: '请输入不小于 {min} 的数。',
    gt: '请输入大于 {min} 的数。',
    max: '请输入不大于 {max} 的数。',
    lt: '请输入小于 {max} 的数。',
    any: '请输入数字。',
  },
  textTooLong: '太长：最多 {max} 个字符。',
  tooManyItems: '太多：最多 {max} 项。',
  tooFewItems: '太少：至少 {min} 项。',
  oneOf: '请从以下选项中选择：{options}。',
  unknownFields: '此版本不认识的设置：{keys}。',
  brokenText: '包含损坏的字符（编码出错留下的半个字符）：请重新输入。',
  datasetName: '数据集名称只能包含小写字母、数字、- 和 _。',
  notText: '请输入文字。',
  invalid: '此值无效。',
  item: '第 {n} 项：{message}',
  trainSplitTooLarge:
    '{numTraining} 张训练图像加 {numValidation} 张验证图像，超过了 {dataset} 的 {available} 张训练图像（验证图像取自训练集）。',
  testSplitTooLarge: '{dataset} 只有 {available} 张测试图像，少于 {numTest}。',
  batchTooLarge: '批大小 {batchSize} 超过了本次训练使用的 {numTraining} 张训练图像：最多为 {numTraining}。',
}
