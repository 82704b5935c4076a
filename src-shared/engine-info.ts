/**
 * What a worker reports about the engine it trains on, recorded with every run so that timings can be
 * compared honestly. Shared by main, renderer and worker; the full typed contract (runs, events, API
 * methods) grows here with the desktop-app issue.
 */
export interface EngineInfo {
  backend: 'native' | 'ts'
  /** e.g. 'OpenBLAS 0.3.21' or 'Accelerate'; null on the TypeScript backend. */
  library: string | null
  /** The BLAS kernel family in use (OpenBLAS core name such as 'Haswell'), null when unknown. */
  core: string | null
  /** Where the core came from: the user's OPENBLAS_CORETYPE, our CPU-feature pick, or the library. */
  coreSource: 'env' | 'cpu-features' | 'library' | null
  blasThreads: number | null
  /** Why the native backend is not in use, when it is not. */
  fallbackReason: string | null
}
