/**
 * Datasets on a cluster worker, found by name and content digest: its own registry's copy when the
 * digests match, else a copy it received earlier (kept under <data-dir>/cluster/datasets/<digest>.pack),
 * else one fetched from the submitting machine through Redis, verified against the digest before use.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import type { RawDataset } from '../../../src-worker/data/types'
import type { DatasetRegistry } from '../datasets'
import { datasetDigest, PackError, unpack } from './datasetPack'
import type { ClusterKeys } from './keys'

export interface TransferMeta {
  chunks: number
  bytes: number
}

/** How long a worker waits for a dataset it asked the submitter for. */
export const TRANSFER_TIMEOUT_MS = 120_000

export class DatasetFetchError extends Error {}

export class WorkerDatasets {
  private readonly byDigest = new Map<string, Promise<RawDataset>>()
  /** Where each dataset came from, for the worker's log (and tests). */
  readonly sources = new Map<string, 'registry' | 'cache' | 'transfer'>()

  constructor(
    private readonly registry: DatasetRegistry,
    private readonly cacheDir: string,
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly timeoutMs = TRANSFER_TIMEOUT_MS,
  ) {}

  /** The dataset `name` with content `digest`; `request` asks the submitter to put it in Redis. */
  get(name: string, digest: string, request: () => Promise<void>): Promise<RawDataset> {
    let p = this.byDigest.get(digest)
    if (!p) {
      p = this.find(name, digest, request)
      this.byDigest.set(digest, p)
      p.catch(() => this.byDigest.delete(digest))
    }
    return p
  }

  private async find(name: string, digest: string, request: () => Promise<void>): Promise<RawDataset> {
    const own = await this.registry.load(name).catch(() => null)
    if (own && datasetDigest(own) === digest) {
      this.sources.set(digest, 'registry')
      return own
    }
    const file = join(this.cacheDir, `${digest}.pack`)
    const kept = await readFile(file).catch(() => null)
    if (kept) {
      try {
        const raw = unpack([kept], digest, [file])
        this.sources.set(digest, 'cache')
        return raw
      } catch {
        // A damaged copy is fetched again and replaced.
      }
    }
    await request()
    const raw = await this.fetch(digest, file)
    this.sources.set(digest, 'transfer')
    return raw
  }

  private async fetch(digest: string, file: string): Promise<RawDataset> {
    const deadline = Date.now() + this.timeoutMs
    let meta: TransferMeta | null = null
    while (meta === null) {
      const text = await this.redis.get(this.keys.dataset(digest))
      if (text !== null) meta = JSON.parse(text) as TransferMeta
      else if (Date.now() > deadline) {
        throw new DatasetFetchError(
          `the submitting machine did not send dataset ${digest.slice(0, 12)} within ${this.timeoutMs / 1000} s`,
        )
      } else await new Promise((r) => setTimeout(r, 200))
    }
    if (!Number.isSafeInteger(meta.chunks) || meta.chunks < 1 || meta.chunks > 100_000) {
      throw new DatasetFetchError(`dataset ${digest.slice(0, 12)}: a transfer of ${meta.chunks} chunks`)
    }
    const chunks: Buffer[] = []
    for (let i = 0; i < meta.chunks; i++) {
      const c = await this.redis.getBuffer(this.keys.datasetChunk(digest, i))
      if (c === null) throw new DatasetFetchError(`dataset ${digest.slice(0, 12)}: chunk ${i} is missing`)
      chunks.push(c)
    }
    let raw: RawDataset
    try {
      raw = unpack(chunks, digest, [file])
    } catch (e) {
      if (e instanceof PackError) throw new DatasetFetchError(`received dataset refused: ${e.message}`)
      throw e
    }
    // Kept for the next run that needs it (written whole, then renamed into place).
    await mkdir(this.cacheDir, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    await writeFile(tmp, Buffer.concat(chunks))
    await rename(tmp, file)
    return raw
  }
}
