/**
 * Test helper: the metrics.jsonl of a very long run, written fast. A legal 7.5M-iteration run (MNIST's
 * 60,000 images in batches of 8 for 1,000 epochs) logs over 600 MB, more than V8's longest string. One
 * block of lines is built once with fixed-width number fields (JSON allows spaces before a number) and
 * written again and again with only the digits of the iteration, epoch and time rewritten in place.
 * Not used in production.
 */
import { open } from 'node:fs/promises'

export interface LongRunLog {
  iterations: number
  epochs: number
  /** The iteration whose loss is a spike of SPIKE_LOSS, and the loss of every other step. */
  spikeAt: number
  bytes: number
}

export const SPIKE_LOSS = 99.25
/** Iterations per epoch, and the loss of step i within its epoch (the same curve every epoch). */
export const STEPS_PER_EPOCH = 7500
export const T0 = 1_764_000_000_000
export function stepLoss(i: number): number {
  return 0.5 + 1 / (1 + (i % STEPS_PER_EPOCH) / 500)
}

/** Writes `epochs` epochs of STEPS_PER_EPOCH steps (an epoch check after each), with one loss spike. */
export async function writeLongRunLog(path: string, epochs = 1000, spikeAt = 5_000_001): Promise<LongRunLog> {
  const epochsPerBlock = 10
  const perBlock = STEPS_PER_EPOCH * epochsPerBlock
  if (epochs % epochsPerBlock !== 0) throw new RangeError(`epochs must be a multiple of ${epochsPerBlock}`)
  const parts: string[] = []
  /** Where each rewritten field ends, and what it holds: its value in block b is base + b * step. */
  const fields: { end: number; width: number; base: number; step: number }[] = []
  let length = 0
  const push = (s: string): void => {
    parts.push(s)
    length += Buffer.byteLength(s)
  }
  const field = (value: number, width: number, step: number): void => {
    push(String(value).padStart(width, ' '))
    fields.push({ end: length, width, base: value, step })
  }
  for (let i = 1; i <= perBlock; i++) {
    push('{"type":"iteration","iteration":')
    field(i, 8, perBlock)
    push(`,"loss":${stepLoss(i).toFixed(15)},"t":`)
    field(T0 + i * 10, 13, perBlock * 10)
    push('}\n')
    if (i % STEPS_PER_EPOCH === 0) {
      push('{"type":"epoch","epoch":')
      field(i / STEPS_PER_EPOCH, 6, epochsPerBlock)
      push(',"iteration":')
      field(i, 8, perBlock)
      push(',"trainAcc":0.875,"valAcc":0.8125,"lr":0.001}\n')
    }
  }
  const block = Buffer.from(parts.join(''))
  if (block.length !== length) throw new Error('block length mismatch')
  const spikeBlock = Math.floor((spikeAt - 1) / perBlock)
  const fh = await open(path, 'w')
  try {
    for (let b = 0; b < epochs / epochsPerBlock; b++) {
      if (b > 0) for (const f of fields) writeDigits(block, f.end, f.width, f.base + b * f.step)
      let out: Buffer = block
      if (b === spikeBlock) out = withSpike(block, spikeAt)
      await fh.write(out)
    }
  } finally {
    await fh.close()
  }
  return {
    iterations: epochs * STEPS_PER_EPOCH,
    epochs,
    spikeAt,
    bytes: block.length * (epochs / epochsPerBlock),
  }
}

function writeDigits(buf: Buffer, end: number, width: number, value: number): void {
  let v = value
  for (let p = end - 1; p >= end - width; p--) {
    buf[p] = v > 0 || p === end - 1 ? 0x30 + (v % 10) : 0x20
    v = Math.floor(v / 10)
  }
}

/** A copy of the block in which step `iteration` has the spike's loss, in the same width. */
function withSpike(block: Buffer, iteration: number): Buffer {
  const copy = Buffer.from(block)
  const marker = Buffer.from(`${String(iteration).padStart(8, ' ')},"loss":`)
  const at = copy.indexOf(marker)
  if (at < 0) throw new Error(`no step ${iteration} in the block`)
  const start = at + marker.length
  const normal = stepLoss(iteration).toFixed(15)
  const spike = SPIKE_LOSS.toFixed(normal.length - 3)
  if (spike.length !== normal.length) throw new Error('spike width mismatch')
  copy.write(spike, start)
  return copy
}
