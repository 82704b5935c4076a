/**
 * First-layer weight snapshots, one safetensors file per accuracy check (`snapshots/w1-epoch-<k>`), so the
 * weight mosaic can scrub through training. Small next to checkpoints: W1 only.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { MosaicData } from '../../src-shared/contract'
import type { Tensor } from '../../src-worker/engine/tensor'
import { writeFileAtomic } from './store/atomic'
import { decodeSafetensors, encodeSafetensors } from './store/safetensors'

const DIR = 'snapshots'
const FILE = /^w1-epoch-(\d{1,6})\.safetensors$/

export async function writeSnapshot(
  runDir: string,
  epoch: number,
  W1: Tensor,
  shape: [number, number, number],
): Promise<void> {
  const dir = join(runDir, DIR)
  await mkdir(dir, { recursive: true })
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

export async function snapshotEpochs(runDir: string): Promise<number[]> {
  const names = await readdir(join(runDir, DIR)).catch(() => [] as string[])
  return names
    .flatMap((n) => {
      const m = FILE.exec(n)
      return m ? [Number(m[1])] : []
    })
    .sort((a, b) => a - b)
}

/** The snapshot at `epoch` (default: the latest), or null when the run has none. */
export async function readSnapshot(runDir: string, epoch?: number): Promise<MosaicData | null> {
  const epochs = await snapshotEpochs(runDir)
  if (epochs.length === 0) return null
  const at = epoch ?? epochs.at(-1)!
  if (!epochs.includes(at)) return null
  const file = join(runDir, DIR, `w1-epoch-${at}.safetensors`)
  const { tensors, metadata } = decodeSafetensors(await readFile(file), file)
  const W1 = tensors['W1']
  const shape = (metadata['imageShape'] ?? '').split(',').map(Number)
  if (!W1 || W1.dtype !== 'F32' || W1.shape.length !== 2 || shape.length !== 3) return null
  const data = W1.data as Float32Array
  return {
    epochs,
    epoch: at,
    shape: shape as [number, number, number],
    units: W1.shape[1]!,
    weights: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  }
}
