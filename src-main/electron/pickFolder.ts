/** The datasets page's Import in the desktop app: a native folder picker over the app's window. */
import type { BaseWindow, Dialog, OpenDialogOptions } from 'electron'

export const PICK_FOLDER_OPTIONS: OpenDialogOptions = {
  title: 'Import a dataset folder',
  properties: ['openDirectory'],
}

/** `dialog.pickFolder`: the chosen folder, or null when the person cancels. */
export function folderPicker(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: () => BaseWindow | null,
): () => Promise<string | null> {
  return async () => {
    const win = window()
    const r = win
      ? await dialog.showOpenDialog(win, PICK_FOLDER_OPTIONS)
      : await dialog.showOpenDialog(PICK_FOLDER_OPTIONS)
    return r.canceled ? null : (r.filePaths[0] ?? null)
  }
}
