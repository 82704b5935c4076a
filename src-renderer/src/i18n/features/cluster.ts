/**
 * Messages of "Train on other machines" (issue 16), both languages side by side; en.ts and zh-CN.ts mount
 * them under 'cluster'. The worker's host and CPU are shown as the worker reports them.
 */
export const en = {
  trainOn: 'Train on',
  local: 'this machine',
  cluster: 'cluster ({n} worker) | cluster ({n} workers)',
  address: 'Queue {queue} at {address}',
  connecting: 'Connecting to the cluster…',
  reconnecting: 'Lost the cluster; reconnecting… Runs sent to it wait until it is back.',
  noWorkers:
    'No worker connected yet: runs sent to the cluster wait for one (start workbench worker --redis <url>).',
  slots: '{n} run at a time | {n} runs at a time',
  where: 'Trains on',
  whereHere: 'this machine',
  waitingForWorker: 'the cluster (waiting for a worker)',
  worker: '{host} ({cores} cores, {cpu})',
  column: 'Where',
}

export const zhCN: typeof en = {
  trainOn: '训练位置',
  local: '本机',
  cluster: '集群（{n} 个工作节点） | 集群（{n} 个工作节点）',
  address: '{address} 上的队列 {queue}',
  connecting: '正在连接集群…',
  reconnecting: '与集群的连接已断开，正在重连… 发往集群的运行会等待其恢复。',
  noWorkers: '尚无工作节点连接：发往集群的运行会等待（运行 workbench worker --redis <url> 启动一个）。',
  slots: '可同时运行 {n} 个 | 可同时运行 {n} 个',
  where: '训练于',
  whereHere: '本机',
  waitingForWorker: '集群（等待工作节点）',
  worker: '{host}（{cores} 核，{cpu}）',
  column: '位置',
}
