// The preload exposes one method per action through contextBridge; the typed contract arrives with the
// desktop-app issue. Until then it exposes nothing, and never raw ipcRenderer.
export {}
