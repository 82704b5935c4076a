/** Reports, metrics and checkpoints for the user to save: `runs.export` and `runs.exportCheckpoint`. */
import type { Workbench } from '../core/workbench'
import { WorkbenchError } from '../core/errors'
import type { HandlerContext, Handlers } from './handlers'
import { checkArity } from './validate'

export function createExportHandlers(
  _wb: Workbench,
  _ctx: HandlerContext,
): Pick<Handlers, 'runs.export' | 'runs.exportCheckpoint'> {
  return {
    // Being built (issue 6): the report and checkpoint exporters land here.
    'runs.export': async (...args) => {
      checkArity('runs.export', args, ['ids', 'format', 'options'], 1)
      throw new WorkbenchError('unavailable', 'runs.export is not available yet')
    },
    'runs.exportCheckpoint': async (...args) => {
      checkArity('runs.exportCheckpoint', args, ['id'])
      throw new WorkbenchError('unavailable', 'runs.exportCheckpoint is not available yet')
    },
  }
}
