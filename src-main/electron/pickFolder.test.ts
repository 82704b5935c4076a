import { describe, expect, it, vi } from 'vitest'
import type { BaseWindow, Dialog } from 'electron'
import { folderPicker, PICK_FOLDER_OPTIONS } from './pickFolder'

describe('the desktop folder picker', () => {
  it('asks for one folder over the window and returns it, or null when cancelled', async () => {
    const win = {} as BaseWindow
    const showOpenDialog = vi
      .fn()
      .mockResolvedValueOnce({ canceled: false, filePaths: ['/home/me/cifar-10-batches-py'] })
      .mockResolvedValueOnce({ canceled: true, filePaths: [] })
    const pick = folderPicker({ showOpenDialog } as unknown as Dialog, () => win)
    await expect(pick()).resolves.toBe('/home/me/cifar-10-batches-py')
    expect(showOpenDialog).toHaveBeenCalledWith(win, PICK_FOLDER_OPTIONS)
    expect(PICK_FOLDER_OPTIONS.properties).toEqual(['openDirectory'])
    await expect(pick()).resolves.toBeNull()
  })

  it('without a window, the dialog stands alone', async () => {
    const showOpenDialog = vi.fn().mockResolvedValue({ canceled: false, filePaths: [] })
    const pick = folderPicker({ showOpenDialog } as unknown as Dialog, () => null)
    await expect(pick()).resolves.toBeNull()
    expect(showOpenDialog).toHaveBeenCalledWith(PICK_FOLDER_OPTIONS)
  })
})
