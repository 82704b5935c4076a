/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32) so that a run is reproducible bit
 * for bit: weight init, minibatch sampling and dropout masks all draw from seeded streams.
 */
export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spare: number | null = null

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`)
    let x = Math.trunc(seed) >>> 0
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.s0 = next()
    this.s1 = next()
    this.s2 = next()
    this.s3 = next()
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** Uniform in [0, 1), 53 bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5
    const lo = this.nextUint32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n)
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare
      this.spare = null
      return s
    }
    let u = 0
    while (u === 0) u = this.random()
    const v = this.random()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** The generator's full state, for checkpoints: restoring it continues the stream exactly. */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare }
  }

  setState(state: RngState): void {
    const ok =
      Array.isArray(state?.s) &&
      state.s.length === 4 &&
      state.s.every((v) => Number.isInteger(v) && Math.abs(v) <= 0xffffffff) &&
      (state.spare === null || typeof state.spare === 'number')
    if (!ok) throw new TypeError('Rng.setState: expected { s: four 32-bit integers, spare: number | null }')
    ;[this.s0, this.s1, this.s2, this.s3] = state.s as [number, number, number, number]
    this.spare = state.spare
  }

  /** A new generator whose stream is independent of this one's continuation. */
  fork(): Rng {
    return new Rng(this.nextUint32())
  }
}

export interface RngState {
  s: number[]
  spare: number | null
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** A seed for runs that did not ask for one, recorded so the run can still be repeated. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0
}
