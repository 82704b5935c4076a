/**
 * Run management (issue 12): edits (`runs.edit`), the trash (`runs.trash`, `runs.restore`, `runs.purge`,
 * `runs.trashed`) and sweeps again (`sweeps.rerun`, `sweeps.extend`). Every argument is checked here;
 * the edit itself is validated by the core with the shared schema (src-shared/runMeta.ts), which names
 * each bad field.
 */
import type { TrashOptions } from '../../src-shared/contract'
import { MAX_SWEEP_RUNS } from '../../src-shared/sweep'
import type { Workbench } from '../core/workbench'
import { trainOnArg } from './clusterHandlers'
import { invalidArgument } from './errors'
import type { Handlers } from './handlers'
import { checkArity, optional, runIdArg, sweepIdArg } from './validate'

/** More than a table holds at once; a bulk operation reports per run, so its answer grows with this. */
export const MAX_BULK_RUNS = 10_000

type RunManagementMethods =
  | 'runs.edit'
  | 'runs.trash'
  | 'runs.restore'
  | 'runs.purge'
  | 'runs.trashed'
  | 'sweeps.rerun'
  | 'sweeps.extend'

export function createRunManagementHandlers(
  wb: Pick<
    Workbench,
    | 'editRuns'
    | 'trashRuns'
    | 'restoreRuns'
    | 'purgeRuns'
    | 'listTrash'
    | 'rerunSweep'
    | 'extendSweep'
    | 'cluster'
  >,
): Pick<Handlers, RunManagementMethods> {
  return {
    'runs.edit': async (...args) => {
      checkArity('runs.edit', args, ['ids', 'edit'])
      const ids = runIdListArg(args[0])
      const edit = args[1]
      if (typeof edit !== 'object' || edit === null || Array.isArray(edit)) {
        throw invalidArgument('edit', `must be an object like {name: 'lr 1e-3'}, got ${typeOf(edit)}`)
      }
      return wb.editRuns(ids, edit)
    },
    'runs.trash': async (...args) => {
      checkArity('runs.trash', args, ['ids', 'options'], 1)
      const ids = runIdListArg(args[0])
      return wb.trashRuns(ids, optional(args[1], trashOptionsArg) ?? {})
    },
    'runs.restore': async (...args) => {
      checkArity('runs.restore', args, ['ids'])
      return wb.restoreRuns(runIdListArg(args[0]))
    },
    'runs.purge': async (...args) => {
      checkArity('runs.purge', args, ['ids'])
      return wb.purgeRuns(runIdListArg(args[0]))
    },
    'runs.trashed': async (...args) => {
      checkArity('runs.trashed', args, [])
      return wb.listTrash()
    },
    'sweeps.rerun': async (...args) => {
      checkArity('sweeps.rerun', args, ['sweepId', 'options'], 1)
      const sweepId = sweepIdArg(args[0])
      return wb.rerunSweep(sweepId, trainOnArg(args[1], wb))
    },
    'sweeps.extend': async (...args) => {
      checkArity('sweeps.extend', args, ['sweepId', 'samples', 'options'], 1)
      const sweepId = sweepIdArg(args[0])
      const samples = samplesArg(args[1])
      return wb.extendSweep(sweepId, samples, trainOnArg(args[2], wb))
    },
  }
}

/** A non-empty array of run ids, each checked (its index named when it is not one). */
export function runIdListArg(value: unknown, name = 'ids'): string[] {
  if (!Array.isArray(value)) throw invalidArgument(name, `must be an array of run ids, got ${typeOf(value)}`)
  if (value.length < 1 || value.length > MAX_BULK_RUNS) {
    throw invalidArgument(name, `must list 1 to ${MAX_BULK_RUNS} run ids, got ${value.length}`)
  }
  // Array.from, not map: map skips the holes of a sparse array (which IPC's structured clone keeps).
  return Array.from(value as unknown[], (id, i) => runIdArg(id, `${name}[${i}]`))
}

/** `{cancel?: boolean}`; any other key or type is refused, naming it. */
export function trashOptionsArg(value: unknown): TrashOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('options', `must be an object like {cancel: true}, got ${typeOf(value)}`)
  }
  const out: TrashOptions = {}
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'cancel')
      throw invalidArgument(`options.${key.slice(0, 40)}`, 'unknown option (known: cancel)')
    if (v === undefined || v === null) continue
    if (typeof v !== 'boolean')
      throw invalidArgument('options.cancel', `must be true or false, got ${typeOf(v)}`)
    out.cancel = v
  }
  return out
}

function samplesArg(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_SWEEP_RUNS) {
    return value
  }
  const shown = typeof value === 'number' ? String(value) : typeOf(value)
  throw invalidArgument('samples', `must be an integer from 1 to ${MAX_SWEEP_RUNS}, got ${shown}`)
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
