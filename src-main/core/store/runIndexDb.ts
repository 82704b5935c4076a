/**
 * Where the run index (runIndex.ts) keeps what it read between processes: one SQLite file,
 * `<dataDir>/index/runs.sqlite`, through better-sqlite3. It is a cache and nothing else: every row says
 * which run.json and meta.json it was read from (their fingerprints), every listing checks that against
 * the folders, and a file that is damaged, from another version or cannot be opened is thrown away or
 * left alone; listing then reads the folders, as it does without an index.
 *
 * WAL mode, so the app and a CLI command can read and write it at once (readers never wait for a
 * writer; a writer waits at most BUSY_MS for another). The native module is loaded at run time, not
 * imported: where it cannot load (not installed, built for another ABI, as under Electron until it is
 * rebuilt for Electron), the index lives in memory only.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import pkg from '../../../package.json'
import { errorMessage, type ProblemReporter } from './errors'

/** Where a data folder keeps it (with SQLite's -wal and -shm files beside it). */
export const RUN_INDEX_FILE = join('index', 'runs.sqlite')
/** The layout of the file; an index of another layout is rebuilt (older) or left alone (newer). */
export const INDEX_SCHEMA_VERSION = 1
/** Entries are records as this version's parser gives them: another version's are read again. */
const RECORDS_VERSION = pkg.version
const BUSY_MS = 2000

/** One run as it was read: the fingerprint of its files, and the list entry as JSON. */
export interface IndexRow {
  id: string
  fp: string
  /** Read so soon after a write that a later write could leave the same fingerprint: read it again. */
  racy: boolean
  entry: string
}

export interface IndexDb {
  readonly file: string
  /** Every row. */
  load(): IndexRow[]
  /** Replaces and deletes rows in one transaction. */
  apply(upserts: readonly IndexRow[], deletes: readonly string[]): void
  close(): void
}

/** The parts of better-sqlite3 used here (the package's own types are not a dependency). */
interface Statement {
  run(...params: unknown[]): unknown
  get(...params: unknown[]): unknown
  raw(on?: boolean): Statement
  all(...params: unknown[]): unknown[]
}
interface Database {
  pragma(source: string, options?: { simple?: boolean }): unknown
  exec(source: string): unknown
  prepare(source: string): Statement
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void
  close(): void
}
export type DatabaseConstructor = new (
  file: string,
  options?: { timeout?: number; readonly?: boolean; fileMustExist?: boolean },
) => Database

let loaded: { ok: true; Database: DatabaseConstructor } | { ok: false; reason: string } | null = null

/** better-sqlite3, loaded once per process; why not, when it cannot be. */
export function loadSqlite(): { ok: true; Database: DatabaseConstructor } | { ok: false; reason: string } {
  if (loaded) return loaded
  try {
    const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'))
    loaded = { ok: true, Database: req('better-sqlite3') as DatabaseConstructor }
  } catch (err) {
    loaded = { ok: false, reason: errorMessage(err).split('\n')[0] ?? 'unknown error' }
  }
  return loaded
}

export interface OpenIndexOptions {
  onProblem: ProblemReporter
  /** Tests: stands in for better-sqlite3 (a constructor that throws, say). */
  loadSqlite?: typeof loadSqlite
}

/** Said once per reporter (one per workbench; the default one is shared): each would say the same. */
const toldUnavailable = new WeakSet<ProblemReporter>()

/**
 * Opens (or makes) the index file; null when there is none to use, said once through onProblem. A
 * damaged file, or one an older version wrote, is replaced by an empty one.
 */
export function openIndexDb(file: string, options: OpenIndexOptions): IndexDb | null {
  const sqlite = (options.loadSqlite ?? loadSqlite)()
  if (!sqlite.ok) {
    if (!toldUnavailable.has(options.onProblem)) {
      toldUnavailable.add(options.onProblem)
      options.onProblem({
        file,
        message: `the run index is not kept (better-sqlite3 cannot be loaded: ${sqlite.reason}); each process reads every run folder when it first lists them`,
      })
    }
    return null
  }
  try {
    return open(sqlite.Database, file, options.onProblem)
  } catch (err) {
    // A read-only data folder (a mounted copy, a folder of someone else's): the index there, if any, is
    // still read; nothing needs saying, since listing from the folders gives the same answer.
    if (isUnwritable(err)) return openReadOnly(sqlite.Database, file)
    if (!isDamaged(err)) {
      options.onProblem({
        file,
        message: `the run index cannot be opened (${errorMessage(err)}); runs are listed from their folders`,
      })
      return null
    }
  }
  options.onProblem({ file, message: 'the run index is damaged; it is rebuilt from the run folders' })
  removeIndexFiles(file)
  try {
    return open(sqlite.Database, file, options.onProblem)
  } catch (err) {
    options.onProblem({
      file,
      message: `the run index cannot be rebuilt (${errorMessage(err)}); runs are listed from their folders`,
    })
    return null
  }
}

function open(Database: DatabaseConstructor, file: string, onProblem: ProblemReporter): IndexDb | null {
  mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file, { timeout: BUSY_MS })
  try {
    db.pragma('journal_mode = WAL')
    // A cache: losing the last transactions in a power cut costs a re-read, never a wrong answer.
    db.pragma('synchronous = NORMAL')
    const version = Number(db.pragma('user_version', { simple: true }))
    if (version > INDEX_SCHEMA_VERSION) {
      onProblem({
        file,
        message: `the run index was written by a newer version (layout ${version}); it is left as it is and runs are listed from their folders`,
      })
      db.close()
      return null
    }
    db.exec('BEGIN IMMEDIATE')
    try {
      // Read again under the write lock: another process may have just made or upgraded it.
      const now = Number(db.pragma('user_version', { simple: true }))
      if (now !== INDEX_SCHEMA_VERSION) {
        // An older layout (or none yet): what it holds is only a cache, so it starts empty.
        db.exec('DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS info;')
        db.exec(
          'CREATE TABLE runs (id TEXT PRIMARY KEY, fp TEXT NOT NULL, racy INTEGER NOT NULL, entry TEXT NOT NULL) WITHOUT ROWID;' +
            'CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;',
        )
        db.pragma(`user_version = ${INDEX_SCHEMA_VERSION}`)
      }
      const records = db.prepare("SELECT value FROM info WHERE key = 'records'").get() as
        { value: string } | undefined
      if (records?.value !== RECORDS_VERSION) {
        db.exec('DELETE FROM runs')
        db.prepare("INSERT OR REPLACE INTO info (key, value) VALUES ('records', ?)").run(RECORDS_VERSION)
      }
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  } catch (err) {
    db.close()
    throw err
  }
  return access(db, file)
}

/** An existing index of this version, for reading only; null when there is none to read. */
function openReadOnly(Database: DatabaseConstructor, file: string): IndexDb | null {
  let db: Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_MS })
  } catch {
    return null
  }
  try {
    const records = db.prepare("SELECT value FROM info WHERE key = 'records'").get() as
      { value: string } | undefined
    if (Number(db.pragma('user_version', { simple: true })) === INDEX_SCHEMA_VERSION) {
      if (records?.value === RECORDS_VERSION) return { ...access(db, file), apply: () => {} }
    }
  } catch {
    // Not readable as an index of this version: listed from the folders.
  }
  db.close()
  return null
}

function access(db: Database, file: string): IndexDb {
  const select = db.prepare('SELECT id, fp, racy, entry FROM runs').raw()
  const upsert = db.prepare('INSERT OR REPLACE INTO runs (id, fp, racy, entry) VALUES (?, ?, ?, ?)')
  const remove = db.prepare('DELETE FROM runs WHERE id = ?')
  const apply = db.transaction((upserts: readonly IndexRow[], deletes: readonly string[]) => {
    for (const r of upserts) upsert.run(r.id, r.fp, r.racy ? 1 : 0, r.entry)
    for (const id of deletes) remove.run(id)
  })
  return {
    file,
    load: () =>
      (select.all() as [string, string, number, string][]).map(([id, fp, racy, entry]) => ({
        id,
        fp,
        racy: racy !== 0,
        entry,
      })),
    apply: (upserts, deletes) => {
      if (upserts.length > 0 || deletes.length > 0) apply(upserts, deletes)
    },
    close: () => db.close(),
  }
}

/** The folder or the file cannot be written: read-only, not ours. */
export function isUnwritable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return ['EROFS', 'EACCES', 'EPERM', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM'].includes(
    String(code),
  )
}

/** SQLite's codes for a file that is not a database, or a damaged one. */
export function isDamaged(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || String(code).startsWith('SQLITE_CORRUPT_')
}

function removeIndexFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
}
