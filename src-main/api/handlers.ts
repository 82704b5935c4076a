/**
 * The contract (src-shared/contract.ts) implemented once over the core, for both transports: Electron's
 * IPC and the browser-mode WebSocket call these with whatever arrived, so every handler checks its raw
 * arguments before the core sees them. Configs and sweep specs go through as unknown: the core validates
 * them with the schema and reports each field.
 */
import pkg from '../../package.json'
import { CONTRACT_VERSION, type MethodName, type Methods } from '../../src-shared/contract'
import { isCorrupt, type RunListEntry } from '../../src-shared/corruptRun'
import { backendInfo } from '../../src-worker/engine/backend'
import type { PdfPrinter } from '../core/export/pdf/printer'
import { deepFreeze, isDeepFrozen } from '../core/store/frozen'
import { seriesReader } from '../core/store/metricsRead'
import type { Workbench } from '../core/workbench'
import { listExamples } from './examples'
import { createCheckHandlers } from './checkHandlers'
import { createClusterHandlers, trainOnArg } from './clusterHandlers'
import { createDatasetHandlers } from './datasetHandlers'
import { createExportHandlers } from './exportHandlers'
import { createLayerHandlers } from './layerHandlers'
import { createRunManagementHandlers } from './runManagementHandlers'
import { createSettingsHandlers, type SettingsContext } from './settingsHandlers'
import {
  checkArity,
  metricsOptionsArg,
  nonNegativeIntArg,
  optional,
  resumeOptionsArg,
  runIdArg,
  sweepIdArg,
} from './validate'

export interface HandlerContext extends SettingsContext {
  mode: 'electron' | 'browser'
  /** Shown in app.info (the UI says where runs are kept). */
  dataDir: string
  /** The folder of example presets (examples/ of the app). */
  examplesDir: string
  /** Prints reports to PDF (Electron's printer, or headless Chromium); without one, pdf export is unavailable. */
  pdf?: PdfPrinter
  /** The desktop app's native folder picker (null: cancelled); the browser mode has none. */
  pickFolder?: () => Promise<string | null>
}

export type Handlers = { [M in MethodName]: (...args: unknown[]) => Promise<Methods[M]['result']> }

/** The listed form of each index entry, made once, so it stays the same object (see api/frameJson.ts). */
const listed = new WeakMap<RunListEntry, RunListEntry>()

/** Every readable run says whether it is archived (records of older versions lack the field). */
function withArchived(r: RunListEntry): RunListEntry {
  if (isCorrupt(r) || r.archived !== undefined) return r
  if (!isDeepFrozen(r)) return { ...r, archived: false }
  let out = listed.get(r)
  if (out === undefined) listed.set(r, (out = deepFreeze({ ...r, archived: false })))
  return out
}

export function createHandlers(wb: Workbench, ctx: HandlerContext): Handlers {
  return {
    'app.info': async (...args) => {
      checkArity('app.info', args, [])
      return {
        version: pkg.version,
        contractVersion: CONTRACT_VERSION,
        engine: backendInfo(),
        mode: ctx.mode,
        dataDir: ctx.dataDir,
        maxThreads: wb.maxThreads,
        memoryBudgetBytes: wb.memoryBudgetBytes,
      }
    },
    'runs.list': async (...args) => {
      checkArity('runs.list', args, [])
      // Every readable run says whether it is archived (records of older versions lack the field).
      return (await wb.listRuns()).map(withArchived)
    },
    'runs.get': async (...args) => {
      checkArity('runs.get', args, ['id'])
      return wb.getRun(runIdArg(args[0]))
    },
    'runs.metrics': async (...args) => {
      checkArity('runs.metrics', args, ['id', 'options'], 1)
      const id = runIdArg(args[0])
      return wb.readMetricsWith(id, seriesReader(metricsOptionsArg(args[1])))
    },
    'runs.create': async (...args) => {
      checkArity('runs.create', args, ['config', 'options'], 1)
      return wb.createRun(args[0], trainOnArg(args[1], wb))
    },
    'runs.createSweep': async (...args) => {
      checkArity('runs.createSweep', args, ['spec', 'options'], 1)
      return wb.createSweep(args[0], trainOnArg(args[1], wb))
    },
    'runs.cancel': async (...args) => {
      checkArity('runs.cancel', args, ['id'])
      return wb.cancel(runIdArg(args[0]))
    },
    'runs.resume': async (...args) => {
      checkArity('runs.resume', args, ['id', 'options'], 1)
      const id = runIdArg(args[0])
      return wb.resume(id, optional(args[1], resumeOptionsArg) ?? {})
    },
    'runs.reorder': async (...args) => {
      checkArity('runs.reorder', args, ['id', 'index'])
      const id = runIdArg(args[0])
      return wb.reorder(id, nonNegativeIntArg(args[1], 'index'))
    },
    'runs.queue': async (...args) => {
      checkArity('runs.queue', args, [])
      return wb.queueState()
    },
    'runs.mosaic': async (...args) => {
      checkArity('runs.mosaic', args, ['id', 'epoch'], 1)
      const id = runIdArg(args[0])
      return wb.mosaic(
        id,
        optional(args[1], (v) => nonNegativeIntArg(v, 'epoch')),
      )
    },
    ...createExportHandlers(wb, ctx),
    ...createCheckHandlers(wb),
    ...createRunManagementHandlers(wb),
    ...createClusterHandlers(wb),
    ...createLayerHandlers(wb),
    ...createSettingsHandlers(wb, ctx),
    'sweeps.get': async (...args) => {
      checkArity('sweeps.get', args, ['sweepId'])
      return wb.getSweep(sweepIdArg(args[0]))
    },
    ...createDatasetHandlers(wb, ctx),
    'examples.list': async (...args) => {
      checkArity('examples.list', args, [])
      return listExamples(ctx.examplesDir)
    },
  }
}
