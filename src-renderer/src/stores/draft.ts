import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { SweepSpec } from '../../../src-shared/sweep'

/** What the form says about where a drafted run came from: a message key and its parameters. */
export interface DraftNote {
  key: string
  params: Record<string, string>
}

/**
 * A spec drafted elsewhere (the sweep view's "narrow the search") or a run config ("new run from this",
 * built by lib/runDraft.ts) for the new-run form to open with: a spec is too long for a URL, and the form
 * takes it once so a later visit starts fresh.
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

  const run = shallowRef<{ config: Record<string, unknown>; note: DraftNote | null } | null>(null)

  function setRun(config: Record<string, unknown>, note: DraftNote | null = null): void {
    run.value = { config, note }
  }

  function takeRun(): { config: Record<string, unknown>; note: DraftNote | null } | null {
    const taken = run.value
    run.value = null
    return taken
  }

  return { sweep, from, setSweep, takeSweep, run, setRun, takeRun }
})
