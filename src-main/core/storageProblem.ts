/**
 * Filesystem failures a person can fix (a full disk, a folder they may not write, a removed data folder),
 * told in their words rather than as `ENOSPC: no space left on device, write`. A run that meets one
 * fails with reason `storage` and this message; what was flushed before stays, and the run resumes once
 * the cause is fixed.
 */
import { existsSync } from 'node:fs'

const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'ENOENT', 'ENOTDIR'])

export function isStorageError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' && STORAGE_CODES.has(code)
}

/**
 * The message for a failed write under `dataDir`, or null if `err` is not a storage failure. `folder` is
 * the run's own folder, when the write was a run's.
 */
export function storageProblem(err: unknown, dataDir: string, folder?: string): string | null {
  if (!isStorageError(err)) return null
  const path = err.path ?? folder ?? dataDir
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk holding ${dataDir} is full: free some space, then resume the run`
    case 'EACCES':
    case 'EPERM':
      return `cannot write to ${path}: permission denied; fix the folder's permissions, then resume the run`
    case 'EROFS':
      return `${dataDir} is on a read-only file system: remount it writable (or move the data folder), then resume the run`
    case 'EIO':
      return `the disk holding ${dataDir} reported an input/output error: check the disk, then resume the run`
    default:
      // ENOENT / ENOTDIR on a write: something removed the folder being written.
      if (!existsSync(dataDir)) return `the data folder ${dataDir} was removed while the run trained`
      if (folder !== undefined && !existsSync(folder))
        return `the run's folder ${folder} was removed while it trained`
      return `cannot write ${path}: a folder on its path is missing (${err.code})`
  }
}
