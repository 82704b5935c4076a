import { describe, expect, it } from 'vitest'
import { cpuFlags, runnableCores } from './cores'

const ALL = ['Haswell', 'SkylakeX', 'Cooperlake', 'Zen', 'Sandybridge', 'Prescott', 'unset', 'pick']

describe('runnableCores', () => {
  it('skips the AVX-512 cores on an AVX2-only CPU (Zen 3) and names the missing flags', () => {
    const zen3 = new Set(['sse', 'pni', 'ssse3', 'avx', 'avx2', 'fma', 'bmi2'])
    const { run, skip } = runnableCores(ALL, zen3)
    expect(run).toEqual(['Haswell', 'Zen', 'Sandybridge', 'Prescott', 'unset', 'pick'])
    expect(skip).toEqual([
      { core: 'SkylakeX', missing: ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'] },
      { core: 'Cooperlake', missing: ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512_bf16'] },
    ])
  })

  it('runs SkylakeX but not Cooperlake without bf16, and everything on a Zen 4', () => {
    const avx512 = new Set(['pni', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'])
    expect(runnableCores(ALL, avx512).skip.map((s) => s.core)).toEqual(['Cooperlake'])
    expect(runnableCores(ALL, new Set([...avx512, 'avx512_bf16'])).skip).toEqual([])
  })

  it('leaves unknown names to OpenBLAS (it falls back to its own detection)', () => {
    expect(runnableCores(['Bogus'], new Set()).run).toEqual(['Bogus'])
  })
})

describe('cpuFlags', () => {
  it('reads this machine’s flags, or the addon probe where there is no /proc/cpuinfo', () => {
    const flags = cpuFlags(() => ({ avx: true, avx2: false }))
    if (process.platform === 'linux' && process.arch === 'x64') expect(flags.has('sse2')).toBe(true)
    else expect(flags.has('avx')).toBe(true)
  })
})
