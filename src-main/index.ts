// Entry of the Electron main process. Everything that imports `electron` lives in ./electron (and the
// preload) so that the rest of the main-process code (store, queue, pool, api) stays testable in plain Node.
import { startApp } from './electron/app'

startApp()
