/** The datasets page's Import in the desktop app: a native folder picker over the app's window. */
import type { BaseWindow, Dialog, OpenDialogOptions } from 'electron'

export const PICK_FOLDER_OPTIONS: OpenDialogOptions = {
  title: 'Import a dataset folder',
  properties: ['openDirectory'],
}

/** `dialog.pickFolder`: the chosen folder, or null when the person cancels. */
/** Settings' data folder: a folder that may not exist yet. */
export const PICK_DATA_DIR_OPTIONS: OpenDialogOptions = {
  title: 'Choose the data folder',
  properties: ['openDirectory', 'createDirectory'],
}

export function folderPicker(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  window: () => BaseWindow | null,
  options: OpenDialogOptions = PICK_FOLDER_OPTIONS,
): () => Promise<string | null> {
  return async () => {
    const win = window()
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return r.canceled ? null : (r.filePaths[0] ?? null)
  }
}
