/**
 * The Redis keys the cluster uses besides BullMQ's own (`bull:<queue>:*`). Every one but the BullMQ
 * queue's bookkeeping expires by itself when its owner stops refreshing it, so a crashed app or worker
 * leaves nothing behind for long (README, "Train on other machines").
 */
export interface ClusterKeys {
  /** Hash per run being trained: origin, the attempt that owns it, cancel. */
  run(runId: string): string
  /** The last checkpoint of a run (encoded), for a retried attempt. */
  checkpoint(runId: string): string
  /** Stream of messages from workers to one submitting process. */
  outbox(origin: string): string
  /** Set of worker ids, and each worker's machine info. */
  workers: string
  worker(id: string): string
  /** A dataset being transferred: its description, and its chunks. */
  dataset(digest: string): string
  datasetChunk(digest: string, index: number): string
}

export function clusterKeys(queue: string): ClusterKeys {
  const p = `wb:${queue}:`
  return {
    run: (id) => `${p}run:${id}`,
    checkpoint: (id) => `${p}ckpt:${id}`,
    outbox: (origin) => `${p}out:${origin}`,
    workers: `${p}workers`,
    worker: (id) => `${p}worker:${id}`,
    dataset: (digest) => `${p}ds:${digest}`,
    datasetChunk: (digest, i) => `${p}ds:${digest}:${i}`,
  }
}

/** How long a run's keys live without a refresh from its submitter (it refreshes every few seconds). */
export const RUN_TTL_MS = 60_000
/** A worker's heartbeat key lives this long; it refreshes it every third of that. */
export const WORKER_TTL_MS = 15_000
/** An outbox stream no one reads any more (its submitter died) goes after this. */
export const OUTBOX_TTL_MS = 10 * 60_000
/** Transferred dataset chunks, if their submitter dies before deleting them. */
export const DATASET_TTL_MS = 10 * 60_000
export const DATASET_CHUNK_BYTES = 4 * 1024 * 1024
