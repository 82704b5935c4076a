/**
 * Scratch arenas: a training step makes the same sequence of allocations with the same sizes every
 * iteration, so the arena hands back, for the k-th request of a step, the buffer the k-th request got on
 * the previous step. Inside `withArena` no full-size buffer is allocated after the first step; outside
 * one, every request is a fresh allocation. Results taken from an arena are valid until the arena's next
 * step: the Solver consumes loss and gradients before the next one.
 */
import type { DType, FloatArray } from './tensor'

export class Arena {
  private readonly buffers: FloatArray[] = []
  private cursor = 0
  /** Bytes allocated since creation: a regression test can assert that steady-state steps add none. */
  allocatedBytes = 0

  take(size: number, dtype: DType, zero: boolean): FloatArray {
    const i = this.cursor++
    const prev = this.buffers[i]
    const want64 = dtype === 'float64'
    if (prev && prev.length === size && prev instanceof Float64Array === want64) {
      if (zero) prev.fill(0)
      return prev
    }
    const fresh = want64 ? new Float64Array(size) : new Float32Array(size)
    this.allocatedBytes += fresh.byteLength
    this.buffers[i] = fresh
    return fresh
  }

  reset(): void {
    this.cursor = 0
  }
}

let active: Arena | null = null

/** Run `fn` with `arena` serving scratch allocations, starting from its first buffer. */
export function withArena<T>(arena: Arena, fn: () => T): T {
  const outer = active
  active = arena
  arena.reset()
  try {
    return fn()
  } finally {
    active = outer
  }
}

export function scratchData(size: number, dtype: DType, zero: boolean): FloatArray {
  if (active) return active.take(size, dtype, zero)
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size)
}
