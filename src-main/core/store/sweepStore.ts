/**
 * Sweep specs as they were queued, one `sweeps/<id>.json` each: the sweep views need the searched ranges
 * (not just the sampled values) to warn about edges and to draft the next, finer sweep.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { SweepRecord } from '../../../src-shared/contract'
import { describeFieldErrors, recordFieldErrors } from '../../../src-shared/runSchema'
import { SweepSpecSchema } from '../../../src-shared/sweep'
import { writeJsonAtomic } from './atomic'
import { StoreError } from './errors'
import { RUN_ID } from './ids'

export type { SweepRecord }

export const SWEEP_RECORD_VERSION = 1
/** `sweep-` and a run id: safe as a file name, sorts by creation. */
export const SWEEP_ID = new RegExp(`^sweep-${RUN_ID.source.slice(1, -1)}$`)

/**
 * A stored sweep record. The spec is checked with the schema a sweep is queued with (a stored spec is one
 * a user could queue); loose, so fields a later version adds pass through.
 */
export const SweepRecordSchema = z.looseObject({
  version: z.number().int().positive(),
  id: z.string().regex(SWEEP_ID, 'a sweep id'),
  createdAt: z.string(),
  spec: SweepSpecSchema,
  runIds: z.array(z.string().regex(RUN_ID, 'a run id')),
})

// What the schema gives is a SweepRecord (checked by the compiler).
type Assert<T extends true> = T
export type SchemaGivesSweep = Assert<z.output<typeof SweepRecordSchema> extends SweepRecord ? true : false>

export class SweepStore {
  constructor(private readonly dataDir: string) {}

  private file(id: string): string {
    if (!SWEEP_ID.test(id))
      throw new StoreError('invalid-argument', `sweepId: not a sweep id: ${JSON.stringify(id)}`, {
        field: 'sweepId',
      })
    return join(this.dataDir, 'sweeps', `${id}.json`)
  }

  async write(record: SweepRecord): Promise<void> {
    await mkdir(join(this.dataDir, 'sweeps'), { recursive: true })
    await writeJsonAtomic(this.file(record.id), record)
  }

  /** Deletes a sweep's record (its last run was deleted for good). */
  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true })
  }

  async get(id: string): Promise<SweepRecord> {
    const path = this.file(id)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StoreError('not-found', `no sweep ${id} (${path})`, { field: 'sweepId' })
      }
      throw e
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      throw new StoreError('corrupt', `${path}: not valid JSON`, { file: path })
    }
    const r = SweepRecordSchema.safeParse(raw)
    if (!r.success) {
      const why = describeFieldErrors(recordFieldErrors(r.error))
      throw new StoreError('corrupt', `${path}: not a valid sweep record: ${why}`, { file: path })
    }
    if (r.data.id !== id) {
      throw new StoreError('corrupt', `${path}: holds sweep ${r.data.id}, not ${id}`, { file: path })
    }
    return r.data
  }
}
