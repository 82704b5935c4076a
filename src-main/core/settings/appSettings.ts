/**
 * The settings as a process uses them: which value wins at start (an environment variable or a flag over
 * the settings file over the default), and the saved file's later changes, which apply after a restart.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { availableParallelism, totalmem } from 'node:os'
import { dirname, isAbsolute, resolve } from 'node:path'
import { defaultMemoryBudget, resolveMemoryBudget } from '../../../src-shared/memoryBudget'
import type { SavedSettings, SettingName, SettingsInfo, SettingsPatch } from '../../../src-shared/settings'
import { MEMORY_BUDGET_ENV } from '../../cli/context'
import { DATA_DIR_ENV, defaultDataDir } from '../../cli/dataDir'
import { MAX_THREADS_LIMIT, readSettingsFile, writeSettingsFile } from './settingsFile'

/** What the process starts with, from the settings file and what overrides it. */
export interface StartupSettings {
  dataDir: string
  maxThreads?: number
  memoryBudget?: string
  overriddenBy: Partial<Record<SettingName, string>>
}

export interface StartupInputs {
  saved: SavedSettings
  env: NodeJS.ProcessEnv
  /** Whether the saved data folder applies (the desktop app); `serve` takes its folder from --data-dir. */
  useSavedDataDir: boolean
  /** Values a command line gave, with the flag's name: they win over everything. */
  flags?: { dataDir?: [string, string]; maxThreads?: [number, string]; memoryBudget?: [string, string] }
}

export function startupSettings(i: StartupInputs): StartupSettings {
  const overriddenBy: StartupSettings['overriddenBy'] = {}
  let dataDir: string
  if (i.flags?.dataDir) {
    dataDir = resolve(i.flags.dataDir[0])
    overriddenBy.dataDir = i.flags.dataDir[1]
  } else if (i.env[DATA_DIR_ENV]) {
    dataDir = defaultDataDir(i.env)
    overriddenBy.dataDir = DATA_DIR_ENV
  } else {
    dataDir = (i.useSavedDataDir ? i.saved.dataDir : undefined) ?? defaultDataDir(i.env)
  }
  const out: StartupSettings = { dataDir, overriddenBy }
  if (i.flags?.maxThreads) {
    out.maxThreads = i.flags.maxThreads[0]
    overriddenBy.maxThreads = i.flags.maxThreads[1]
  } else if (i.saved.maxThreads !== undefined) {
    out.maxThreads = i.saved.maxThreads
  }
  if (i.flags?.memoryBudget) {
    out.memoryBudget = i.flags.memoryBudget[0]
    overriddenBy.memoryBudget = i.flags.memoryBudget[1]
  } else if (i.env[MEMORY_BUDGET_ENV]) {
    out.memoryBudget = i.env[MEMORY_BUDGET_ENV]
    overriddenBy.memoryBudget = MEMORY_BUDGET_ENV
  } else if (i.saved.memoryBudget !== undefined) {
    // A saved budget this machine cannot honour (edited by hand, or from a bigger machine) is left out
    // rather than keeping the app from starting.
    if (resolveMemoryBudget(i.saved.memoryBudget, totalmem()).ok) out.memoryBudget = i.saved.memoryBudget
  }
  return out
}

export interface AppSettingsOptions {
  file: string
  saved: SavedSettings
  startup: StartupSettings
  /** The desktop app may change its data folder; the browser mode's is its --data-dir. */
  dataDirEditable: boolean
  env: NodeJS.ProcessEnv
}

/** What the running process is using, read from the core when asked (it opens after the settings). */
export interface CurrentValues {
  maxThreads: number
  memoryBudgetBytes: number
}

export class AppSettings {
  readonly file: string
  private saved: SavedSettings
  private writes: Promise<void> = Promise.resolve()

  constructor(private readonly o: AppSettingsOptions) {
    this.file = o.file
    this.saved = { ...o.saved }
  }

  /** Reads the file and decides the start-up values; `problem` says why a damaged file was ignored. */
  static load(
    file: string,
    inputs: Omit<StartupInputs, 'saved'>,
    dataDirEditable: boolean,
  ): { settings: AppSettings; problem: string | null } {
    const { settings: saved, problem } = readSettingsFile(file)
    const startup = startupSettings({ ...inputs, saved })
    return {
      settings: new AppSettings({ file, saved, startup, dataDirEditable, env: inputs.env }),
      problem,
    }
  }

  get startup(): StartupSettings {
    return this.o.startup
  }

  get dataDirEditable(): boolean {
    return this.o.dataDirEditable
  }

  get current(): SavedSettings {
    return { ...this.saved }
  }

  info(now: CurrentValues, firstRunDue: boolean): SettingsInfo {
    const total = totalmem()
    const defaults = {
      dataDir: defaultDataDir({ ...this.o.env, [DATA_DIR_ENV]: '' }),
      maxThreads: Math.min(availableParallelism(), MAX_THREADS_LIMIT),
      memoryBudgetBytes: defaultMemoryBudget(total),
    }
    const savedBudget =
      this.saved.memoryBudget === undefined ? null : resolveMemoryBudget(this.saved.memoryBudget, total)
    const savedMemoryBudgetBytes = savedBudget && savedBudget.ok ? savedBudget.bytes : null
    const overridden = this.o.startup.overriddenBy
    const restartNeeded: SettingName[] = []
    const wanted = {
      dataDir: this.o.dataDirEditable ? (this.saved.dataDir ?? defaults.dataDir) : this.o.startup.dataDir,
      maxThreads: this.saved.maxThreads ?? defaults.maxThreads,
      memoryBudgetBytes: savedMemoryBudgetBytes ?? defaults.memoryBudgetBytes,
    }
    if (!overridden.dataDir && resolve(wanted.dataDir) !== resolve(this.o.startup.dataDir))
      restartNeeded.push('dataDir')
    if (!overridden.maxThreads && wanted.maxThreads !== now.maxThreads) restartNeeded.push('maxThreads')
    if (!overridden.memoryBudget && wanted.memoryBudgetBytes !== now.memoryBudgetBytes)
      restartNeeded.push('memoryBudget')
    return {
      file: this.file,
      saved: { ...this.saved },
      current: { dataDir: this.o.startup.dataDir, ...now },
      defaults,
      savedMemoryBudgetBytes,
      overriddenBy: { ...overridden },
      editable: { dataDir: this.o.dataDirEditable, maxThreads: true, memoryBudget: true },
      restartNeeded,
      firstRun: firstRunDue && this.saved.firstRunDismissed !== true,
      maxThreadsLimit: MAX_THREADS_LIMIT,
    }
  }

  /** Applies a validated patch to the file (writes one at a time, so the last call wins). */
  async update(patch: SettingsPatch): Promise<void> {
    const next: SavedSettings = { ...this.saved }
    if (patch.dataDir !== undefined) {
      if (patch.dataDir === null) delete next.dataDir
      else next.dataDir = patch.dataDir
    }
    if (patch.maxThreads !== undefined) {
      if (patch.maxThreads === null) delete next.maxThreads
      else next.maxThreads = patch.maxThreads
    }
    if (patch.memoryBudget !== undefined) {
      if (patch.memoryBudget === null) delete next.memoryBudget
      else next.memoryBudget = patch.memoryBudget
    }
    if (patch.firstRunDismissed !== undefined) next.firstRunDismissed = patch.firstRunDismissed
    const write = this.writes.then(() => writeSettingsFile(this.file, next))
    this.writes = write.catch(() => undefined)
    await write
    this.saved = next
  }
}

/**
 * Why `dir` cannot be the data folder, or null: it must be absolute, and either a folder this user may
 * write, or not exist yet under one (the next start creates it).
 */
export async function dataDirProblem(dir: string): Promise<string | null> {
  if (!isAbsolute(dir)) return 'must be an absolute path'
  let probe = dir
  for (;;) {
    try {
      const s = await stat(probe)
      if (!s.isDirectory()) {
        return probe === dir ? 'is a file, not a folder' : `${probe} is a file, not a folder`
      }
      break
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      // ENOTDIR: a file on the way, which the next step up names.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be read: ${(e as Error).message}`
      const parent = dirname(probe)
      if (parent === probe) return 'no part of this path exists'
      probe = parent
    }
  }
  try {
    await access(probe, constants.W_OK)
  } catch {
    return probe === dir ? 'is not writable' : `${probe} is not writable, so the folder cannot be made`
  }
  return null
}
