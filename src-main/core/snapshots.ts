/**
 * First-layer weight snapshots, one safetensors file per accuracy check (`snapshots/w1-epoch-<k>`), so the
 * weight mosaic can scrub through training. Small next to checkpoints: W1 only.
 *
 * A damaged snapshot (truncated, or not the W1 of an image model) costs only its epoch: it leaves the
 * epoch list and is named in `damagedEpochs`, which the views and reports show.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { MosaicData } from '../../src-shared/contract'
import type { Tensor } from '../../src-worker/engine/tensor'
import { mkdirIn, writeFileAtomic } from './store/atomic'
import { StoreError, errorMessage, type StoreProblem } from './store/errors'
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsLayout,
  type SafetensorsLayout,
} from './store/safetensors'

const DIR = 'snapshots'
const FILE = /^w1-epoch-(\d{1,6})\.safetensors$/

/** The metadata a snapshot is written with; loose, so what a later version adds passes. */
const SnapshotMetadataSchema = z.looseObject({
  imageShape: z.string().regex(/^\d+,\d+,\d+$/, 'C,H,W (three integers)'),
  epoch: z.string().regex(/^\d+$/, 'an integer'),
})

export async function writeSnapshot(
  runDir: string,
  epoch: number,
  W1: Tensor,
  shape: [number, number, number],
): Promise<void> {
  const dir = join(runDir, DIR)
  await mkdirIn(dir)
  const bytes = encodeSafetensors(
    // W1 arrived as a structured-clone copy: written as it is (converted only if the run is float64).
    {
      W1: {
        dtype: 'F32',
        shape: W1.shape,
        data: W1.data instanceof Float32Array ? W1.data : Float32Array.from(W1.data),
      },
    },
    { imageShape: shape.join(','), epoch: String(epoch) },
  )
  await writeFileAtomic(join(dir, `w1-epoch-${epoch}.safetensors`), bytes)
}

export interface SnapshotList {
  /** Epochs with a usable snapshot, ascending. */
  epochs: number[]
  /** Epochs whose snapshot is damaged, ascending, each with its file and what is wrong. */
  damaged: (StoreProblem & { epoch: number })[]
}

/**
 * The run's snapshots, each checked from its header alone (layout, length, metadata, W1's shape), so a
 * listing of thousands of epochs reads kilobytes, not the weights.
 */
export async function listSnapshots(runDir: string): Promise<SnapshotList> {
  const names = await readdir(join(runDir, DIR)).catch(() => [] as string[])
  const found = names
    .flatMap((n) => {
      const m = FILE.exec(n)
      return m ? [{ epoch: Number(m[1]), file: join(runDir, DIR, n) }] : []
    })
    .sort((a, b) => a.epoch - b.epoch)
  const checked = await Promise.all(
    found.map(async (s) => ({ ...s, problem: await checkSnapshot(s.file, s.epoch) })),
  )
  return {
    epochs: checked.filter((s) => s.problem === null).map((s) => s.epoch),
    damaged: checked.flatMap((s) =>
      s.problem === null ? [] : [{ epoch: s.epoch, file: s.file, message: s.problem }],
    ),
  }
}

/** Epochs with a usable snapshot, ascending. */
export async function snapshotEpochs(runDir: string): Promise<number[]> {
  return (await listSnapshots(runDir)).epochs
}

/**
 * The snapshot at `epoch` (default: the latest usable one), or null when the run has none (or none at
 * that epoch). Asking for a damaged epoch, or for the latest when every snapshot is damaged, is a
 * `corrupt` error naming the file.
 */
export async function readSnapshot(runDir: string, epoch?: number): Promise<MosaicData | null> {
  const { epochs, damaged } = await listSnapshots(runDir)
  if (epoch !== undefined) {
    const bad = damaged.find((d) => d.epoch === epoch)
    if (bad)
      throw new StoreError('corrupt', `epoch ${epoch}'s weights are damaged: ${bad.file}: ${bad.message}`, {
        file: bad.file,
      })
  }
  if (epochs.length === 0) {
    if (damaged.length === 0) return null
    const first = damaged[0]!
    throw new StoreError(
      'corrupt',
      `every weight snapshot of this run is damaged (epochs ${damaged.map((d) => d.epoch).join(', ')}): ` +
        `${first.file}: ${first.message}`,
      { file: first.file },
    )
  }
  const at = epoch ?? epochs.at(-1)!
  if (!epochs.includes(at)) return null
  const file = join(runDir, DIR, `w1-epoch-${at}.safetensors`)
  const { tensors, metadata } = decodeSafetensors(await readFile(file), file)
  const W1 = tensors['W1']!
  const shape = metadata['imageShape']!.split(',').map(Number) as [number, number, number]
  const data = W1.data as Float32Array
  return {
    epochs,
    damagedEpochs: damaged.map((d) => d.epoch),
    epoch: at,
    shape,
    units: W1.shape[1]!,
    weights: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  }
}

/** What is wrong with a snapshot file, or null when it is usable. */
async function checkSnapshot(file: string, epoch: number): Promise<string | null> {
  let layout: SafetensorsLayout
  try {
    layout = await cachedLayout(file)
  } catch (e) {
    if (!(e instanceof StoreError)) throw e
    return e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : errorMessage(e)
  }
  const meta = SnapshotMetadataSchema.safeParse(layout.metadata)
  if (!meta.success) {
    const issue = meta.error.issues[0]!
    return `metadata ${issue.path.join('.')}: ${issue.message}`
  }
  if (Number(meta.data.epoch) !== epoch) return `metadata says epoch ${meta.data.epoch}, its name ${epoch}`
  const W1 = layout.tensors['W1']
  if (!W1) return 'holds no W1'
  if (W1.dtype !== 'F32' || W1.shape.length !== 2) {
    return `W1 is ${W1.dtype} [${W1.shape.join(', ')}], not a 2-D F32 tensor`
  }
  const pixels = meta.data.imageShape.split(',').reduce((a, b) => a * Number(b), 1)
  if (W1.shape[0] !== pixels) {
    return `W1 has ${W1.shape[0]} rows, but images of shape ${meta.data.imageShape} have ${pixels} values`
  }
  return null
}

/**
 * Snapshots are written once (atomically) and never change, and a live run's view lists them every
 * second: a file's layout is read again only when its size or modification time differ.
 */
const layouts = new Map<string, { size: number; mtimeMs: number; layout: Promise<SafetensorsLayout> }>()
const MAX_CACHED = 50_000

async function cachedLayout(file: string): Promise<SafetensorsLayout> {
  const { size, mtimeMs } = await stat(file)
  const hit = layouts.get(file)
  if (hit && hit.size === size && hit.mtimeMs === mtimeMs) return hit.layout
  if (layouts.size >= MAX_CACHED) layouts.clear()
  const layout = readSafetensorsLayout(file)
  layouts.set(file, { size, mtimeMs, layout })
  // A read that failed for a reason other than damage (the file vanished) is not remembered.
  layout.catch((e: unknown) => {
    if (!(e instanceof StoreError) && layouts.get(file)?.layout === layout) layouts.delete(file)
  })
  return layout
}
