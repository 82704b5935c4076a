// The preload runs sandboxed and is bundled as CommonJS: it may `require('electron')` and nothing else,
// so everything it uses from the project (the contract's METHODS, the API builder) is plain constants
// and functions the bundler inlines.
import { contextBridge, ipcRenderer } from 'electron'
import { EVENT_CHANNEL } from './electron/channels'
import { buildApi, createEventHub } from './preloadApi'

const hub = createEventHub()
ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => hub.dispatch(name, payload))

contextBridge.exposeInMainWorld(
  'api',
  buildApi((method, args) => ipcRenderer.invoke(method, ...args), hub),
)
