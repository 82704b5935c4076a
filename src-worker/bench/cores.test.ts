import { describe, expect, it } from 'vitest'
import { cpuFlags, referenceIsaEnv, runnableCores } from './cores'

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

describe('referenceIsaEnv', () => {
  it('holds oneDNN, ATen and numpy to AVX2 at an AVX2 core, and leaves them alone at an AVX-512 one', () => {
    const env = referenceIsaEnv('Haswell')
    expect(env).toMatchObject({ ONEDNN_MAX_CPU_ISA: 'AVX2', ATEN_CPU_CAPABILITY: 'avx2' })
    // numpy 2's AVX-512 dispatch target and numpy 1's.
    expect(env['NPY_DISABLE_CPU_FEATURES']!.split(' ')).toEqual(
      expect.arrayContaining(['X86_V4', 'AVX512_SKX']),
    )
    expect(env['NPY_DISABLE_CPU_FEATURES']).not.toContain('AVX2')
    expect(referenceIsaEnv('Zen')).toEqual(env)
    expect(referenceIsaEnv('SkylakeX')).toEqual({})
    expect(referenceIsaEnv(null)).toEqual({})
    expect(referenceIsaEnv('SomeFutureCore')).toEqual({})
    expect(referenceIsaEnv('Sandybridge')['NPY_DISABLE_CPU_FEATURES']).toContain('AVX2')
  })
})
