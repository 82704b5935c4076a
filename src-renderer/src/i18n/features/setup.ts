/**
 * Messages of the first-run screen and the Settings page (issue 17), both languages side by side; en.ts
 * and zh-CN.ts mount them under 'setup'.
 */
export const en = {
  nav: 'Settings',
  firstRun: {
    title: 'Welcome to Workbench',
    intro:
      'Queue experiments, train them in parallel on this computer and compare them. Nothing is here yet: pick a dataset to start with.',
    dataLives: 'Your runs and datasets are kept in',
    dataLivesHintElectron: 'You can move this folder in Settings.',
    dataLivesHintBrowser: 'The browser mode uses the folder workbench serve was started with (--data-dir).',
    embedded: {
      title: 'Start with the embedded dataset',
      body: 'A small Fashion-MNIST (6,000 training images of clothes, 28×28) comes with the app: a first run trains in a minute.',
      action: 'New run on it',
    },
    import: {
      title: 'Import a dataset folder',
      body: 'CIFAR-10 (python or binary batches) or MNIST-style IDX files you already have.',
      action: 'Import…',
    },
    download: {
      title: 'Download a dataset',
      body: 'CIFAR-10, MNIST or Fashion-MNIST from their official sources, with their licences.',
      action: 'Choose a download',
    },
    dismiss: 'Don’t show this again',
    later: 'Skip for now',
  },
  settings: {
    title: 'Settings',
    intro: 'Changes are saved at once and take effect the next time Workbench starts.',
    file: 'Saved in {file}',
    restart: 'Restart Workbench to apply: {names}.',
    names: { dataDir: 'data folder', maxThreads: 'parallel runs', memoryBudget: 'memory budget' },
    overridden: '{name} decides this for now; the saved setting applies when it is not set.',
    save: 'Save',
    saved: 'Saved. Restart Workbench to apply it.',
    savedNoRestart: 'Saved.',
    useDefault: 'Use the default',
    defaultIs: 'Default: {value}',
    now: 'Now: {value}',
    afterRestart: 'After a restart: {value}',
    dataDir: {
      title: 'Data folder',
      body: 'Runs, imported and downloaded datasets. The runs already in the current folder stay there; the CLI finds them with --data-dir.',
      choose: 'Choose a folder…',
      browserOnly:
        'The browser mode’s data folder is the one workbench serve was started with: use --data-dir or WORKBENCH_DATA_DIR.',
    },
    threads: {
      title: 'Parallel runs',
      body: 'How many runs train at once on this machine, one core each.',
      label: 'Runs at once (1–{max})',
      invalid: 'A whole number from 1 to {max}.',
    },
    memory: {
      title: 'Memory budget',
      body: 'What the runs training at once may take together; a run that would not fit waits in the queue.',
      label: 'Budget (such as 12GB, 800MB, 50% or 0.5)',
      empty: 'Empty: half the machine, leaving at least 4 GB.',
    },
    firstRun: {
      title: 'Welcome screen',
      show: 'Show the welcome screen again',
      shown: 'The welcome screen shows while the data folder has no runs and no datasets of your own.',
    },
  },
}

export const zhCN: typeof en = {
  nav: '设置',
  firstRun: {
    title: '欢迎使用 Workbench',
    intro: '在这台电脑上排队实验、并行训练并比较结果。这里还什么都没有：先选一个数据集开始吧。',
    dataLives: '你的运行和数据集保存在',
    dataLivesHintElectron: '可以在“设置”中更换这个文件夹。',
    dataLivesHintBrowser: '浏览器模式使用启动 workbench serve 时指定的文件夹（--data-dir）。',
    embedded: {
      title: '从内置数据集开始',
      body: '应用自带一个小型 Fashion-MNIST（6,000 张 28×28 的服饰训练图像）：第一次运行一分钟左右即可训练完。',
      action: '用它新建运行',
    },
    import: {
      title: '导入数据集文件夹',
      body: '你已有的 CIFAR-10（python 或二进制批次）或 MNIST 式 IDX 文件。',
      action: '导入…',
    },
    download: {
      title: '下载数据集',
      body: '从官方来源下载 CIFAR-10、MNIST 或 Fashion-MNIST，并附带其许可证。',
      action: '选择下载',
    },
    dismiss: '不再显示',
    later: '暂时跳过',
  },
  settings: {
    title: '设置',
    intro: '更改会立即保存，并在 Workbench 下次启动时生效。',
    file: '保存在 {file}',
    restart: '重新启动 Workbench 以应用：{names}。',
    names: { dataDir: '数据文件夹', maxThreads: '并行运行数', memoryBudget: '内存预算' },
    overridden: '目前由 {name} 决定；未设置它时才使用保存的设置。',
    save: '保存',
    saved: '已保存。重新启动 Workbench 后生效。',
    savedNoRestart: '已保存。',
    useDefault: '使用默认值',
    defaultIs: '默认：{value}',
    now: '当前：{value}',
    afterRestart: '重启后：{value}',
    dataDir: {
      title: '数据文件夹',
      body: '运行记录以及导入和下载的数据集。当前文件夹中已有的运行会留在原处；命令行可用 --data-dir 找到它们。',
      choose: '选择文件夹…',
      browserOnly:
        '浏览器模式的数据文件夹就是启动 workbench serve 时使用的文件夹：请使用 --data-dir 或 WORKBENCH_DATA_DIR。',
    },
    threads: {
      title: '并行运行数',
      body: '这台机器上同时训练的运行数，每个运行占一个核心。',
      label: '同时运行数（1–{max}）',
      invalid: '请输入 1 到 {max} 之间的整数。',
    },
    memory: {
      title: '内存预算',
      body: '同时训练的运行合计可使用的内存；放不下的运行会在队列中等待。',
      label: '预算（例如 12GB、800MB、50% 或 0.5）',
      empty: '留空：使用本机内存的一半，并至少留出 4 GB。',
    },
    firstRun: {
      title: '欢迎页',
      show: '再次显示欢迎页',
      shown: '当数据文件夹中没有运行、也没有你自己的数据集时，会显示欢迎页。',
    },
  },
}
