// Placeholder until the native addon lands (same commit series): reports the backend as unavailable.
import type { Backend, BackendInfo } from './types'

export function loadNativeBackend(): { backend: Backend; info: BackendInfo } | { error: string } {
  return { error: 'native addon not built yet' }
}
