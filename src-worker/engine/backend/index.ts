/**
 * Backend selection. The native (BLAS) backend is used when its addon loads and passes a self-test
 * against the TypeScript kernels; otherwise the engine runs on TypeScript and says why in `backendInfo()`.
 * WORKBENCH_BACKEND=ts|native forces a choice ('native' then fails loudly if it cannot load).
 */
import { tsBackend } from './ts'
import { loadNativeBackend } from './native'
import type { Backend, BackendInfo } from './types'

export type { Backend, BackendInfo } from './types'

let current: Backend | null = null
let nativeResult: ReturnType<typeof loadNativeBackend> | null = null

function native(): ReturnType<typeof loadNativeBackend> {
  nativeResult ??= loadNativeBackend()
  return nativeResult
}

/** The backend layers run on. Chosen on first use. */
export function getBackend(): Backend {
  if (current) return current
  const forced = process.env['WORKBENCH_BACKEND']
  if (forced !== undefined && forced !== '' && forced !== 'ts' && forced !== 'native') {
    throw new Error(`WORKBENCH_BACKEND must be 'ts' or 'native', got '${forced}'`)
  }
  setBackend(forced === 'ts' ? 'ts' : forced === 'native' ? 'native' : 'auto')
  return current!
}

/** Select a backend. 'auto' takes native when it is available. Throws when 'native' is unavailable. */
export function setBackend(name: 'native' | 'ts' | 'auto'): Backend {
  if (name === 'ts') {
    current = tsBackend
  } else {
    const n = native()
    if ('backend' in n) current = n.backend
    else if (name === 'native') throw new Error(`native backend unavailable: ${n.error}`)
    else current = tsBackend
  }
  return current
}

/** Whether the native backend can be used here, and if not, why. */
export function nativeAvailability(): { available: true } | { available: false; reason: string } {
  const n = native()
  return 'backend' in n ? { available: true } : { available: false, reason: n.error }
}

/** What the engine currently runs on: backend, BLAS library, core and threads, or why not native. */
export function backendInfo(): BackendInfo {
  const b = getBackend()
  const n = native()
  if (b.name === 'native' && 'info' in n) return { ...n.info }
  return {
    backend: 'ts',
    library: null,
    core: null,
    coreSource: null,
    blasThreads: null,
    fallbackReason: 'error' in n ? n.error : 'TypeScript backend selected',
  }
}
