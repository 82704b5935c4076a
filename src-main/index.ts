// Entry of the Electron main process. Everything that imports `electron` lives in ./electron so that the
// rest of the main-process code (store, queue, pool) stays testable in plain Node.
import { startApp } from './electron/app'

startApp()
