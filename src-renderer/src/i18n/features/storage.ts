/**
 * Messages of the storage banner (the data folder cannot be written), both languages side by side; en.ts
 * and zh-CN.ts mount them under 'storage'. Main sends a code and the folder; its English sentence is shown
 * as the detail.
 */
export const en = {
  title: {
    'disk-full': 'The disk holding {path} is full',
    permission: 'Workbench may not write to {path}',
    'read-only': '{path} is on a read-only disk',
    io: 'The disk holding {path} reported an error',
    removed: '{path} was removed',
  },
  action: {
    'disk-full': 'Free some space, then resume the runs that stopped.',
    permission: "Fix the folder's permissions, then resume the runs that stopped.",
    'read-only': 'Make the disk writable (or move the data folder), then resume the runs that stopped.',
    io: 'Check the disk, then resume the runs that stopped.',
    removed: 'Restore the folder (or choose another data folder); runs in it stopped.',
  },
  run: 'Run {id} stopped.',
}

export const zhCN: typeof en = {
  title: {
    'disk-full': '{path} 所在的磁盘已满',
    permission: 'Workbench 无权写入 {path}',
    'read-only': '{path} 位于只读磁盘上',
    io: '{path} 所在的磁盘报告了错误',
    removed: '{path} 已被删除',
  },
  action: {
    'disk-full': '请释放一些空间，然后继续已停止的运行。',
    permission: '请修正该文件夹的权限，然后继续已停止的运行。',
    'read-only': '请让磁盘可写（或移动数据文件夹），然后继续已停止的运行。',
    io: '请检查磁盘，然后继续已停止的运行。',
    removed: '请恢复该文件夹（或选择其他数据文件夹）；其中的运行已停止。',
  },
  run: '运行 {id} 已停止。',
}
