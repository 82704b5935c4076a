/** Small filesystem helpers: atomic JSON writes, md5 of a file, folder sizes, safe removal. */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return false
    throw err
  }
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null
    throw err
  }
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

/** Writes `data` to `path` via a temp file in the same folder, fsync and rename: readers see old or new. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } catch (err) {
    await fh.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
  }
  await fh.close()
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Total bytes of the regular files under `dir` (symlinks are not followed). */
export async function dirSize(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += await dirSize(path)
    else if (entry.isFile()) total += (await lstat(path)).size
  }
  return total
}

/** Sum of the sizes of these files; missing files count 0. */
export async function filesSize(paths: readonly string[]): Promise<number> {
  let total = 0
  for (const path of new Set(paths)) total += (await fileSize(path)) ?? 0
  return total
}

/**
 * Removes a folder so that it disappears from its name at once: rename to a hidden trash name next to it,
 * then delete. A crash during the delete leaves only `.trash-*`, which `DatasetRegistry.cleanup` removes.
 */
export async function removeDirAtomic(dir: string): Promise<void> {
  const trash = join(dirname(dir), `.trash-${basename(dir)}-${randomBytes(6).toString('hex')}`)
  await rename(dir, trash)
  await rm(trash, { recursive: true, force: true })
}

export function randomSuffix(): string {
  return randomBytes(6).toString('hex')
}
