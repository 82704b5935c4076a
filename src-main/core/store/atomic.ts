/**
 * Crash-safe file replacement: readers (and the next start after a power cut) see the old file or the new
 * one, never a prefix of the new one.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { isErrno } from './errors'

export interface AtomicWriteOptions {
  /**
   * Permission bits of the new file, set when it is created (so it is never readable more widely, even
   * for a moment); the umask still applies. Default 0o666, like writeFile.
   */
  mode?: number
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  // Same folder, so the rename stays on one filesystem and is atomic; dot-prefixed so listings skip it.
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    // 'wx': a clash with another writer's temp file fails instead of both writing into one file.
    const fh = await open(tmp, 'wx', options.mode ?? 0o666)
    try {
      await fh.writeFile(data)
      // Without this, the rename can reach the disk before the data and a crash leaves an empty file.
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {})
    throw err
  }
  await syncDir(dirname(path))
}

/**
 * writeFileAtomic for a file written in pieces: `produce` calls `write` with each chunk (text as
 * UTF-8), in order and one at a time. Nothing appears at `path` unless produce completes.
 */
export async function writeFileAtomicStreamed(
  path: string,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const fh = await open(tmp, 'wx')
    try {
      await produce(async (chunk) => {
        let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        while (bytes.length > 0) {
          const { bytesWritten } = await fh.write(bytes)
          bytes = bytes.subarray(bytesWritten)
        }
      })
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {})
    throw err
  }
  await syncDir(dirname(path))
}

/** Pretty JSON with a trailing newline: run folders are meant to be read and diffed by people. */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options)
}

/**
 * Makes a rename (or a new entry) in `dir` durable. Windows cannot open folders for fsync and some
 * filesystems refuse it; there the rename is still atomic, only its durability is up to the OS.
 */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  let fh
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch (err) {
    if (!UNSUPPORTED_DIR_SYNC.some((code) => isErrno(err, code))) throw err
  } finally {
    await fh?.close()
  }
}

const UNSUPPORTED_DIR_SYNC = ['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EACCES', 'EBADF']

/**
 * Makes `dir` inside a folder that must already exist (a run's `checkpoints/` in its run folder): unlike
 * a recursive mkdir, it never rebuilds a run folder, or a whole data folder, that someone removed.
 */
export async function mkdirIn(dir: string): Promise<void> {
  try {
    await mkdir(dir)
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err
  }
}
