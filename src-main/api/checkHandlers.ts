/** A config's sanity checks before it is queued: `checks.run`. */
import type { Workbench } from '../core/workbench'
import { invalidArgument } from './errors'
import type { Handlers } from './handlers'
import { checkArity } from './validate'

export function createCheckHandlers(wb: Pick<Workbench, 'check'>): Pick<Handlers, 'checks.run'> {
  return {
    'checks.run': async (...args) => {
      checkArity('checks.run', args, ['config'])
      const config = args[0]
      // The core names each bad field of an object; anything else is refused whole, here.
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        const got = config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config
        throw invalidArgument('config', `must be a run config object, got ${got}`)
      }
      return wb.check(config)
    },
  }
}
