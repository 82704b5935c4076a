/**
 * A run's checkpoint files, `checkpoints/<kind>.safetensors` and `<kind>.state.json` (what a resume needs
 * beyond tensors), and the previous pair, `<kind>.previous.*`, kept until the next one is complete: a
 * crash mid-write, a full disk or a damaged file then costs one checkpoint, not the run's resume point.
 *
 * The tensors carry a random stamp that the state file repeats, so a state always pairs with the tensors
 * written with it, whichever files a crash left behind.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { describeFieldErrors, recordFieldErrors } from '../../../src-shared/runSchema'
import { mkdirIn, writeFileAtomic, writeJsonAtomic } from './atomic'
import { StoreError, errorMessage, isErrno, type StoreProblem } from './errors'
import {
  decodeSafetensors,
  encodeSafetensors,
  withDtypes,
  type TensorData,
  type Tensors,
} from './safetensors'

export const CHECKPOINT_KINDS = ['best', 'last'] as const
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number]

export interface Checkpoint {
  tensors: Tensors
  /** The metadata given to writeCheckpoint. */
  metadata: Record<string, string>
  /** The state written with these tensors (validated when a schema was given), or null if none was. */
  state: unknown
  /** The tensors' file: `<kind>.safetensors`, or `<kind>.previous.safetensors` after a fallback. */
  file: string
}

/** The newest usable checkpoint, and what was wrong with the newer files passed over to find it. */
export interface CheckpointLookup {
  checkpoint: Checkpoint | null
  problems: StoreProblem[]
}

export interface ReadCheckpointOptions {
  /** Validates the state; a checkpoint whose state fails is passed over like a damaged one. */
  state?: z.ZodType
}

const STAMP_KEY = 'workbench.checkpoint'
/** Whether a state file was written with the tensors ('json') or not ('none'). */
const STATE_KEY = 'workbench.state'

const StateFileSchema = z.looseObject({ checkpoint: z.string(), state: z.unknown() })

function names(kind: CheckpointKind, previous: boolean) {
  const base = previous ? `${kind}.previous` : kind
  return { tensors: `${base}.safetensors`, state: `${base}.state.json` }
}

/**
 * Writes a checkpoint into `dir` (atomically, each file): the newest pair becomes the previous one first,
 * then the tensors go, then the state with their stamp. Callers serialise writes of one kind.
 */
export async function writeCheckpointFiles(
  dir: string,
  kind: CheckpointKind,
  tensors: Record<string, TensorData>,
  state: object | undefined,
  metadata: Record<string, string>,
): Promise<void> {
  const stamp = randomBytes(8).toString('hex')
  const bytes = encodeSafetensors(withDtypes(tensors), {
    ...metadata,
    [STAMP_KEY]: stamp,
    [STATE_KEY]: state === undefined ? 'none' : 'json',
  })
  const now = names(kind, false)
  const before = names(kind, true)
  await mkdirIn(dir)
  if (await moveIfPresent(join(dir, now.tensors), join(dir, before.tensors))) {
    // A state that stays behind would belong to no tensors; one from two writes ago neither.
    if (!(await moveIfPresent(join(dir, now.state), join(dir, before.state)))) {
      await rm(join(dir, before.state), { force: true })
    }
  }
  await writeFileAtomic(join(dir, now.tensors), bytes)
  if (state !== undefined) await writeJsonAtomic(join(dir, now.state), { checkpoint: stamp, state })
}

/**
 * The newest checkpoint in `dir` whose tensors decode and whose state (when one was written) is the one
 * written with them: `<kind>` first, else `<kind>.previous`. Damaged files are passed over and named in
 * `problems`; I/O errors other than a missing file are thrown.
 */
export async function findCheckpointIn(
  dir: string,
  kind: CheckpointKind,
  options: ReadCheckpointOptions = {},
): Promise<CheckpointLookup & { found: boolean }> {
  const problems: StoreProblem[] = []
  const states = new StateFiles(dir, kind, problems)
  let found = false
  for (const previous of [false, true]) {
    const file = join(dir, names(kind, previous).tensors)
    let bytes: Uint8Array
    try {
      bytes = await readFile(file)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue
      throw err
    }
    found = true
    let decoded
    try {
      decoded = decodeSafetensors(bytes, file)
    } catch (err) {
      if (!(err instanceof StoreError)) throw err
      problems.push({ file, message: withoutFile(err.message, file) })
      continue
    }
    const { tensors, metadata } = decoded
    const stamp = metadata[STAMP_KEY]
    const flag = metadata[STATE_KEY]
    delete metadata[STAMP_KEY]
    delete metadata[STATE_KEY]
    // Files from before the flag existed: the core always wrote `last` with a state, `best` without.
    const expectsState = flag === undefined ? kind === 'last' : flag === 'json'
    if (!expectsState) return { checkpoint: { tensors, metadata, state: null, file }, problems, found }
    const saved = stamp === undefined ? null : await states.withStamp(stamp)
    if (!saved) {
      problems.push({ file, message: 'the state written with these tensors is missing or damaged' })
      continue
    }
    let state = saved.state
    if (options.state) {
      const r = options.state.safeParse(state)
      if (!r.success) {
        const why = describeFieldErrors(
          recordFieldErrors(r.error).map((e) => ({ ...e, path: `state.${e.path}` })),
        )
        problems.push({ file: saved.file, message: `not a valid checkpoint state: ${why}` })
        continue
      }
      state = r.data
    }
    return { checkpoint: { tensors, metadata, state, file }, problems, found }
  }
  return { checkpoint: null, problems, found }
}

/** Removes a kind's checkpoint files, the previous pair included. */
export async function removeCheckpointFiles(dir: string, kind: CheckpointKind): Promise<void> {
  for (const previous of [false, true]) {
    const n = names(kind, previous)
    await rm(join(dir, n.tensors), { force: true })
    await rm(join(dir, n.state), { force: true })
  }
}

/** Both state files of a kind, each read (and its damage reported) at most once, when first needed. */
class StateFiles {
  private readonly read = new Map<string, Promise<{ stamp: string; state: unknown; file: string } | null>>()

  constructor(
    private readonly dir: string,
    private readonly kind: CheckpointKind,
    private readonly problems: StoreProblem[],
  ) {}

  async withStamp(stamp: string): Promise<{ state: unknown; file: string } | null> {
    for (const previous of [false, true]) {
      const s = await this.load(join(this.dir, names(this.kind, previous).state))
      if (s?.stamp === stamp) return s
    }
    return null
  }

  private load(file: string): Promise<{ stamp: string; state: unknown; file: string } | null> {
    let p = this.read.get(file)
    if (!p) {
      p = this.parse(file)
      this.read.set(file, p)
    }
    return p
  }

  private async parse(file: string): Promise<{ stamp: string; state: unknown; file: string } | null> {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null
      throw err
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      this.problems.push({ file, message: `not valid JSON: ${errorMessage(err)}` })
      return null
    }
    const r = StateFileSchema.safeParse(raw)
    if (!r.success) {
      this.problems.push({
        file,
        message: `expected {checkpoint, state}: ${describeFieldErrors(recordFieldErrors(r.error))}`,
      })
      return null
    }
    return { stamp: r.data.checkpoint, state: r.data.state ?? null, file }
  }
}

async function moveIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to)
    return true
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false
    throw err
  }
}

/** safetensors' errors start with the file, which a problem names separately. */
function withoutFile(message: string, file: string): string {
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message
}
