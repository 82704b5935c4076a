/**
 * Filesystem failures a person can fix (a full disk, a folder they may not write, a removed data folder),
 * told in their words rather than as `ENOSPC: no space left on device, write`. A run that meets one
 * fails with reason `storage` and this message; what was flushed before stays, and the run resumes once
 * the cause is fixed.
 */
import { existsSync } from 'node:fs'
import type { StorageProblemCode } from '../../src-shared/contract'

const CODES: Record<string, StorageProblemCode> = {
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'read-only',
  EIO: 'io',
  ENOENT: 'removed',
  ENOTDIR: 'removed',
}

export interface StorageProblem {
  code: StorageProblemCode
  /** The folder (or file) concerned, as a person would look for it. */
  path: string
  message: string
}

export function isStorageError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' && code in CODES
}

/**
 * What went wrong with a failed write under `dataDir`, or null if `err` is not a storage failure.
 * `folder` is the run's own folder, when the write was a run's.
 */
export function describeStorageProblem(
  err: unknown,
  dataDir: string,
  folder?: string,
): StorageProblem | null {
  if (!isStorageError(err)) return null
  const code = CODES[err.code!]!
  const file = err.path ?? folder ?? dataDir
  switch (code) {
    case 'disk-full':
      return {
        code,
        path: dataDir,
        message: `the disk holding ${dataDir} is full: free some space, then resume the run`,
      }
    case 'permission':
      return {
        code,
        path: file,
        message: `cannot write to ${file}: permission denied; fix the folder's permissions, then resume the run`,
      }
    case 'read-only':
      return {
        code,
        path: dataDir,
        message: `${dataDir} is on a read-only file system: make it writable (or move the data folder), then resume the run`,
      }
    case 'io':
      return {
        code,
        path: dataDir,
        message: `the disk holding ${dataDir} reported an input/output error: check the disk, then resume the run`,
      }
    default:
      // ENOENT / ENOTDIR on a write: something removed the folder being written.
      if (!existsSync(dataDir)) {
        return {
          code,
          path: dataDir,
          message: `the data folder ${dataDir} was removed while the run trained`,
        }
      }
      if (folder !== undefined && !existsSync(folder)) {
        return { code, path: folder, message: `the run's folder ${folder} was removed while it trained` }
      }
      return { code, path: file, message: `cannot write ${file}: a folder on its path is missing` }
  }
}

/** Just the message (see describeStorageProblem). */
export function storageProblem(err: unknown, dataDir: string, folder?: string): string | null {
  return describeStorageProblem(err, dataDir, folder)?.message ?? null
}
