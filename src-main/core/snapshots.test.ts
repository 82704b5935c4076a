// Hand-damaged weight snapshots: each costs its own epoch, named, never the others.
import { readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from './store/errors'
import { encodeSafetensors } from './store/safetensors'
import { makeTempDir } from './store/testing'
import { listSnapshots, readSnapshot, writeSnapshot } from './snapshots'

let tmp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  tmp = await makeTempDir('wb-snapshots-')
  // 2x2 images, one channel, 3 hidden units: W1 is (4, 3).
  for (const epoch of [0, 1, 2, 3]) {
    const data = Float32Array.from({ length: 12 }, (_, i) => epoch * 100 + i)
    await writeSnapshot(tmp.dir, epoch, { shape: [4, 3], data, dtype: 'float32' }, [1, 2, 2])
  }
})
afterEach(() => tmp.cleanup())

const file = (epoch: number) => join(tmp.dir, 'snapshots', `w1-epoch-${epoch}.safetensors`)
const weights = (base64: string) => [
  ...new Float32Array(new Uint8Array(Buffer.from(base64, 'base64')).buffer),
]

describe('weight snapshots', () => {
  it('a truncated snapshot leaves the epoch list, named; the others still load', async () => {
    await truncate(file(2), (await readFile(file(2))).length - 4)
    expect(await listSnapshots(tmp.dir)).toEqual({
      epochs: [0, 1, 3],
      damaged: [
        { epoch: 2, file: file(2), message: "tensor 'W1': data ends past the end of the file (truncated?)" },
      ],
    })
    const latest = await readSnapshot(tmp.dir)
    expect(latest).toMatchObject({
      epochs: [0, 1, 3],
      damagedEpochs: [2],
      epoch: 3,
      shape: [1, 2, 2],
      units: 3,
    })
    expect(weights(latest!.weights)[0]).toBe(300)
    expect((await readSnapshot(tmp.dir, 1))?.epoch).toBe(1)
    const err = await readSnapshot(tmp.dir, 2).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject({ code: 'corrupt', file: file(2) })
    expect((err as Error).message).toMatch(/^epoch 2's weights are damaged: /)
    expect(await readSnapshot(tmp.dir, 9)).toBeNull()
  })

  it('the newest damaged: the latest usable one is shown', async () => {
    await writeFile(file(3), 'x')
    expect(await readSnapshot(tmp.dir)).toMatchObject({ epoch: 2, epochs: [0, 1, 2], damagedEpochs: [3] })
  })

  it('checks what the header says, not only its layout', async () => {
    const W1 = (shape: number[], dtype: 'F32' | 'F64' = 'F32') => ({
      dtype,
      shape,
      data:
        dtype === 'F32'
          ? new Float32Array(shape.reduce((a, b) => a * b, 1))
          : new Float64Array(shape.reduce((a, b) => a * b, 1)),
    })
    const cases: [Record<string, string>, ReturnType<typeof W1> | null, RegExp][] = [
      [{ imageShape: '1,2', epoch: '0' }, W1([4, 3]), /^metadata imageShape: C,H,W/],
      [{ epoch: '0' }, W1([4, 3]), /^metadata imageShape: /],
      [{ imageShape: '1,2,2', epoch: '7' }, W1([4, 3]), /metadata says epoch 7, its name 0/],
      [
        { imageShape: '1,2,2', epoch: '0' },
        W1([5, 3]),
        /W1 has 5 rows, but images of shape 1,2,2 have 4 values/,
      ],
      [{ imageShape: '1,2,2', epoch: '0' }, W1([12]), /W1 is F32 \[12\], not a 2-D F32 tensor/],
      [{ imageShape: '1,2,2', epoch: '0' }, W1([4, 3], 'F64'), /W1 is F64/],
      [{ imageShape: '1,2,2', epoch: '0' }, null, /holds no W1/],
    ]
    for (const [metadata, tensor, message] of cases) {
      await writeFile(file(0), encodeSafetensors(tensor ? { W1: tensor as never } : {}, metadata))
      const { epochs, damaged } = await listSnapshots(tmp.dir)
      expect(epochs, JSON.stringify(metadata)).toEqual([1, 2, 3])
      expect(damaged[0]!.message).toMatch(message)
    }
  })

  it('every snapshot damaged is a corrupt error naming them; no snapshots at all is none', async () => {
    for (const epoch of [0, 1, 2, 3]) await writeFile(file(epoch), '')
    const err = await readSnapshot(tmp.dir).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'corrupt', file: file(0) })
    expect((err as Error).message).toMatch(
      /^every weight snapshot of this run is damaged \(epochs 0, 1, 2, 3\): /,
    )
    await rm(join(tmp.dir, 'snapshots'), { recursive: true })
    expect(await readSnapshot(tmp.dir)).toBeNull()
  })

  it('a repaired file is read again, not remembered as damaged', async () => {
    const good = await readFile(file(1))
    await writeFile(file(1), good.subarray(0, 20))
    expect((await listSnapshots(tmp.dir)).epochs).toEqual([0, 2, 3])
    await writeFile(file(1), good)
    expect((await listSnapshots(tmp.dir)).epochs).toEqual([0, 1, 2, 3])
  })
})
