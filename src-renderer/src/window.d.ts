import type { Api } from '../../src-shared/contract'

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    api?: Api
  }
}
