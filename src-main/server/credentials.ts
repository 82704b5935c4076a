/**
 * The browser mode's token and port, kept in the data folder (`server.json`, mode 0600) so that a restart
 * of `serve` or `npm start` serves the same URL and an open tab keeps working, and so that each data
 * folder's server has its own port and token. `--new-token` replaces the token. A file that is damaged or
 * that other users could read or change is replaced by a new token, and the caller says so: the URL
 * changes, which is the safe side of both.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { writeJsonAtomic } from '../core/store/atomic'
import { isErrno } from '../core/store/errors'
import { newToken, TOKEN_PATTERN } from './auth'

export const CREDENTIALS_FILE = 'server.json'

/**
 * Where a data folder's first server listens (CS231n), unless told otherwise; when it is taken, the next
 * free one of DEFAULT_PORT_TRIES, then any free port. The port actually used is remembered.
 */
export const DEFAULT_PORT = 8231
export const DEFAULT_PORT_TRIES = 20

/** A token file is a few dozen bytes; anything this big is not one. */
const MAX_FILE_BYTES = 64 * 1024

const StoredSchema = z.strictObject({
  version: z.literal(1),
  token: z.string().regex(TOKEN_PATTERN, 'expected 8 to 256 characters of A-Z a-z 0-9 . _ ~ -'),
  port: z.number().int().min(1).max(65535).nullable(),
})

export interface Credentials {
  token: string
  /** The port the last server of this data folder listened on; null before the first. */
  port: number | null
}

export interface LoadedCredentials extends Credentials {
  file: string
  /** Why the token is new although a file was there (damaged, too open, --new-token); null otherwise. */
  renewed: string | null
  /** The file must be written (it was missing, or the token is new). */
  dirty: boolean
}

export async function loadCredentials(
  dataDir: string,
  options: { rotate?: boolean } = {},
): Promise<LoadedCredentials> {
  const file = join(dataDir, CREDENTIALS_FILE)
  const read = await readStored(file)
  if (read.kind === 'missing') return { file, token: newToken(), port: null, renewed: null, dirty: true }
  if (read.kind === 'bad') return { file, token: newToken(), port: null, renewed: read.reason, dirty: true }
  if (options.rotate) {
    return { file, token: newToken(), port: read.value.port, renewed: '--new-token', dirty: true }
  }
  return { file, ...read.value, renewed: null, dirty: false }
}

/** Replaces the file atomically; it is created with mode 0600, never readable by others even briefly. */
export async function saveCredentials(file: string, credentials: Credentials): Promise<void> {
  const stored: z.infer<typeof StoredSchema> = { version: 1, ...credentials }
  // The data folder of a first start may not exist yet: the store creates its folders as it needs them.
  await mkdir(dirname(file), { recursive: true })
  await writeJsonAtomic(file, stored, { mode: 0o600 })
}

type Read = { kind: 'missing' } | { kind: 'bad'; reason: string } | { kind: 'ok'; value: Credentials }

async function readStored(file: string): Promise<Read> {
  let st
  try {
    st = await lstat(file)
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return { kind: 'missing' }
    throw e
  }
  if (!st.isFile()) return { kind: 'bad', reason: 'it is not a regular file' }
  // Windows has no such permission bits; there the data folder's own ACL is what protects it.
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8)
    return { kind: 'bad', reason: `other users could read or change it (mode ${mode}, expected 600)` }
  }
  if (st.size > MAX_FILE_BYTES) return { kind: 'bad', reason: `it is ${st.size} bytes, not a token file` }
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    return { kind: 'bad', reason: `it is not valid JSON (${e instanceof Error ? e.message : String(e)})` }
  }
  const parsed = StoredSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.length > 0 ? issue.path.join('.') : '(the whole file)'
    return { kind: 'bad', reason: `${where}: ${issue.message}` }
  }
  return { kind: 'ok', value: { token: parsed.data.token, port: parsed.data.port } }
}

/**
 * The ports to try in order: an explicit one alone (0: any free port); else the remembered one, then the
 * default range, then any free port.
 */
export function portCandidates(
  explicit: number | undefined,
  remembered: number | null,
  first = DEFAULT_PORT,
): number[] {
  if (explicit !== undefined) return [explicit]
  const range = Array.from({ length: DEFAULT_PORT_TRIES }, (_, i) => first + i).filter((p) => p <= 65535)
  const ordered = remembered !== null ? [remembered, ...range.filter((p) => p !== remembered)] : range
  return [...ordered, 0]
}
