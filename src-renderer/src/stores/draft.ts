import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { RunConfig } from '../../../src-shared/config'
import type { SweepSpec } from '../../../src-shared/sweep'

/**
 * A spec drafted elsewhere (the sweep view's "narrow the search"), or a run's config ("New run from
 * this"), for the new-run form to open with: too long for a URL, and the form takes it once so a later
 * visit starts fresh.
 */
export const useDraftStore = defineStore('draft', () => {
  const sweep = shallowRef<SweepSpec | null>(null)
  /** The sweep the draft refines, to say where it came from. */
  const from = ref<string | null>(null)

  function setSweep(spec: SweepSpec, fromName: string | null = null): void {
    sweep.value = spec
    from.value = fromName
  }

  function takeSweep(): { spec: SweepSpec; from: string | null } | null {
    const spec = sweep.value
    if (!spec) return null
    const taken = { spec, from: from.value }
    sweep.value = null
    from.value = null
    return taken
  }

  /** A run's config for the single-run form ("New run from this"), and the run's name. */
  const run = shallowRef<{ config: RunConfig; from: string } | null>(null)

  function setRun(config: RunConfig, fromName: string): void {
    run.value = { config, from: fromName }
  }

  function takeRun(): { config: RunConfig; from: string } | null {
    const taken = run.value
    run.value = null
    return taken
  }

  return { sweep, from, setSweep, takeSweep, run, setRun, takeRun }
})
