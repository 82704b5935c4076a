/** `workbench worker --redis <url>`: train runs from the cluster queue on this machine until stopped. */
import { availableParallelism } from 'node:os'
import { ClusterWorker } from '../core/cluster/worker'
import { clusterAddress, type ClusterCliOptions } from './cluster'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export interface WorkerCommandOptions extends ClusterCliOptions {
  concurrency?: number
  lockDuration?: number
}

export async function workerCommand(ctx: Context, o: WorkerCommandOptions): Promise<number> {
  if (o.redis === undefined) {
    throw new CliError('usage', '--redis: required (the Redis the app sends runs to)', EXIT.usage, [
      { path: '--redis', message: 'required' },
    ])
  }
  const { address, queue } = clusterAddress(ctx, { ...o, redis: o.redis })
  const worker = new ClusterWorker({
    address,
    queue,
    concurrency: o.concurrency ?? availableParallelism(),
    dataDir: ctx.dataDir,
    ...(ctx.memoryBudget !== undefined ? { memoryBudget: ctx.memoryBudget } : {}),
    ...(o.lockDuration !== undefined ? { lockDurationMs: o.lockDuration } : {}),
    log: (line) => ctx.note(line),
  })
  const stop = new AbortController()
  const onTerm = (): void => stop.abort()
  process.once('SIGTERM', onTerm)
  ctx.io.interrupt.addEventListener('abort', onTerm, { once: true })
  try {
    ctx.note(`Connecting to ${address.display} (queue ${queue}; datasets and budget from ${ctx.dataDir})…`)
    await Promise.race([worker.start(), aborted(stop.signal)])
    if (!stop.signal.aborted) {
      ctx.note(`Ready: ${JSON.stringify(worker.machine)}`)
      if (ctx.json) ctx.printJson({ worker: worker.machine })
      await aborted(stop.signal)
    }
    ctx.note('Stopping: runs training here go back to the queue and continue on another worker…')
    await worker.close()
    return EXIT.ok
  } finally {
    process.off('SIGTERM', onTerm)
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return signal.aborted
    ? Promise.resolve()
    : new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }))
}
