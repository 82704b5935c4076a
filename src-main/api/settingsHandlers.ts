/**
 * Settings and the first-run screen (issue 17): `settings.get`, `settings.set`, `settings.pickDataDir`.
 * The patch is checked whole before anything is saved: unknown fields, wrong types, a relative or
 * unwritable data folder, a thread count out of range or a memory budget this machine cannot give are
 * refused with the field named.
 */
import { totalmem } from 'node:os'
import { resolve } from 'node:path'
import { formatBytes } from '../../src-shared/byteSize'
import { resolveMemoryBudget } from '../../src-shared/memoryBudget'
import type { SettingsInfo, SettingsPatch } from '../../src-shared/settings'
import { WorkbenchError } from '../core/errors'
import { dataDirProblem, type AppSettings } from '../core/settings/appSettings'
import { MAX_BUDGET_LENGTH, MAX_PATH_LENGTH, MAX_THREADS_LIMIT } from '../core/settings/settingsFile'
import type { Workbench } from '../core/workbench'
import { invalidArgument } from './errors'
import type { Handlers } from './handlers'
import { checkArity } from './validate'

export interface SettingsContext {
  /** The settings of this process; absent: the methods answer `unsupported` (tests, benchmarks). */
  settings?: AppSettings
  /** The desktop app's folder picker for the data folder. */
  pickDataDir?: () => Promise<string | null>
}

type SettingsWorkbench = Pick<Workbench, 'maxThreads' | 'memoryBudgetBytes' | 'listRuns'> & {
  datasets: Pick<Workbench['datasets'], 'list'>
}

const FIELDS = ['dataDir', 'maxThreads', 'memoryBudget', 'firstRunDismissed'] as const

export function createSettingsHandlers(
  wb: SettingsWorkbench,
  ctx: SettingsContext,
): Pick<Handlers, 'settings.get' | 'settings.set' | 'settings.pickDataDir'> {
  const settingsOf = (method: string): AppSettings => {
    if (!ctx.settings) throw new WorkbenchError('unsupported', `${method}: this process keeps no settings`)
    return ctx.settings
  }
  const info = async (settings: AppSettings): Promise<SettingsInfo> =>
    settings.info(
      { maxThreads: wb.maxThreads, memoryBudgetBytes: wb.memoryBudgetBytes },
      await firstRunDue(wb),
    )
  return {
    'settings.get': async (...args) => {
      checkArity('settings.get', args, [])
      return info(settingsOf('settings.get'))
    },
    'settings.set': async (...args) => {
      checkArity('settings.set', args, ['patch'])
      const settings = settingsOf('settings.set')
      const patch = await settingsPatchArg(args[0], settings)
      await settings.update(patch)
      return info(settings)
    },
    'settings.pickDataDir': async (...args) => {
      checkArity('settings.pickDataDir', args, [])
      if (!ctx.pickDataDir) {
        throw new WorkbenchError(
          'unsupported',
          'settings.pickDataDir: the browser mode takes its data folder from --data-dir',
        )
      }
      return ctx.pickDataDir()
    },
  }
}

/** No runs (a damaged one counts as a run), no dataset but the built-in ones. */
async function firstRunDue(wb: SettingsWorkbench): Promise<boolean> {
  const [runs, datasets] = await Promise.all([wb.listRuns(), wb.datasets.list()])
  return runs.length === 0 && datasets.every((d) => d.readOnly)
}

/** The patch, every field checked; refused whole at the first bad one. */
export async function settingsPatchArg(value: unknown, settings: AppSettings): Promise<SettingsPatch> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('patch', `must be an object of settings, got ${describe(value)}`)
  }
  const raw = value as Record<string, unknown>
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw invalidArgument(
        `patch.${key.slice(0, 40)}`,
        `unknown setting (expected one of ${FIELDS.join(', ')})`,
      )
    }
  }
  const patch: SettingsPatch = {}
  if (raw.dataDir !== undefined) {
    const v = raw.dataDir
    if (v === null) patch.dataDir = null
    else {
      if (!settings.dataDirEditable) {
        throw new WorkbenchError(
          'unsupported',
          'patch.dataDir: the browser mode takes its data folder from --data-dir or WORKBENCH_DATA_DIR',
          [{ path: 'patch.dataDir', message: 'set with --data-dir or WORKBENCH_DATA_DIR' }],
        )
      }
      if (typeof v !== 'string' || v.trim() === '') {
        throw invalidArgument('patch.dataDir', `must be a folder path, got ${describe(v)}`)
      }
      if (v.length > MAX_PATH_LENGTH || v.includes('\0')) {
        throw invalidArgument('patch.dataDir', `must be a path of at most ${MAX_PATH_LENGTH} characters`)
      }
      const problem = await dataDirProblem(v)
      if (problem !== null) throw invalidArgument('patch.dataDir', `${v}: ${problem}`)
      patch.dataDir = resolve(v)
    }
  }
  if (raw.maxThreads !== undefined) {
    const v = raw.maxThreads
    if (v === null) patch.maxThreads = null
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_THREADS_LIMIT) {
      patch.maxThreads = v
    } else {
      throw invalidArgument(
        'patch.maxThreads',
        `must be a whole number from 1 to ${MAX_THREADS_LIMIT}, got ${describe(v)}`,
      )
    }
  }
  if (raw.memoryBudget !== undefined) {
    const v = raw.memoryBudget
    if (v === null) patch.memoryBudget = null
    else {
      if (typeof v !== 'string' || v.length > MAX_BUDGET_LENGTH) {
        throw invalidArgument(
          'patch.memoryBudget',
          `must be a size such as 12GB, 800MB, 50% or 0.5, got ${describe(v)}`,
        )
      }
      if (v.trim() === '') patch.memoryBudget = null
      else {
        const total = totalmem()
        const parsed = resolveMemoryBudget(v, total)
        if (!parsed.ok) throw invalidArgument('patch.memoryBudget', parsed.message)
        if (parsed.bytes > total) {
          throw invalidArgument(
            'patch.memoryBudget',
            `${v.trim()} is more than this machine's memory (${formatBytes(total)})`,
          )
        }
        patch.memoryBudget = v.trim()
      }
    }
  }
  if (raw.firstRunDismissed !== undefined) {
    if (typeof raw.firstRunDismissed !== 'boolean') {
      throw invalidArgument(
        'patch.firstRunDismissed',
        `must be true or false, got ${describe(raw.firstRunDismissed)}`,
      )
    }
    patch.firstRunDismissed = raw.firstRunDismissed
  }
  return patch
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 80))
  if (typeof v === 'number') return String(v)
  return typeof v
}
