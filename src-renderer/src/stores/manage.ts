/**
 * Run management as the views use it: delete (to the trash, with an Undo notice), restore, delete for
 * good, edits (rename, notes, tags, archive), the trash's contents, and the question asked before a run
 * that trains is cancelled and deleted. Main does each run on its own; what it could not do is said in a
 * notice per run.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BulkFailure, TrashedRun } from '../../../src-shared/contract'
import { isCorrupt } from '../../../src-shared/corruptRun'
import type { RunEditInput } from '../../../src-shared/runMeta'
import { CANCELLABLE_STATUSES, type RunRecord } from '../../../src-shared/runs'
import { getApi, onReconnect, toApiError } from '../api'
import { i18n } from '../i18n'
import { useAppStore } from './app'
import { useRunsStore } from './runs'

/** A question the confirm dialog (ConfirmDialog.vue, in App.vue) is showing. */
export interface Question {
  title: string
  text: string
  confirm: string
  cancel: string
  /** The confirm button is a destructive one. */
  danger: boolean
  answer: (yes: boolean) => void
}

/** How long the Undo of a delete stays offered. */
export const UNDO_MS = 12_000

export const useManageStore = defineStore('manage', () => {
  const api = getApi()
  const t = i18n.global.t
  const runs = useRunsStore()
  const app = useAppStore()

  const question = shallowRef<Question | null>(null)
  /** Asks; resolves with the answer (a newer question answers the older one with no). */
  function ask(q: Omit<Question, 'answer'>): Promise<boolean> {
    question.value?.answer(false)
    return new Promise((resolve) => {
      question.value = {
        ...q,
        answer: (yes) => {
          question.value = null
          resolve(yes)
        },
      }
    })
  }

  /** Ids with a request in flight, so buttons do not fire twice. */
  const busy = ref<Set<string>>(new Set())
  const isBusy = (ids: readonly string[]): boolean => ids.some((id) => busy.value.has(id))
  async function withBusy<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
    busy.value = new Set([...busy.value, ...ids])
    try {
      return await fn()
    } finally {
      const next = new Set(busy.value)
      for (const id of ids) next.delete(id)
      busy.value = next
    }
  }

  function nameOf(id: string): string {
    return runs.byId[id]?.config.name ?? trashed.value.find((x) => x.run.id === id)?.run.id ?? id
  }

  function reportFailures(failed: BulkFailure[]): void {
    for (const f of failed) {
      app.notify(t('manage.failedOne', { name: nameOf(f.id), message: f.message }), 'error', 10_000)
    }
  }

  /**
   * Moves runs to the trash and offers Undo. Runs queued or training are cancelled first, once the user
   * agrees; one that started in the meantime is refused by main (`active`) and asked about then.
   */
  async function deleteRuns(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return []
    const active = ids.filter((id) => {
      const status = runs.byId[id]?.status
      return status !== undefined && CANCELLABLE_STATUSES.includes(status)
    })
    let cancel = false
    if (active.length > 0) {
      if (!(await askCancel(ids.length, active.length))) return []
      cancel = true
    }
    const done: string[] = []
    let failed: BulkFailure[] = []
    await withBusy(ids, async () => {
      try {
        let r = await api['runs.trash'](ids, cancel ? { cancel: true } : {})
        done.push(...r.done)
        failed = r.failed
        const late = r.failed.filter((f) => f.code === 'active').map((f) => f.id)
        if (late.length > 0 && (await askCancel(ids.length, late.length))) {
          r = await api['runs.trash'](late, { cancel: true })
          done.push(...r.done)
          failed = [...failed.filter((f) => f.code !== 'active'), ...r.failed]
        } else failed = failed.filter((f) => f.code !== 'active')
      } catch (e) {
        app.reportError(e)
      }
    })
    for (const id of done) runs.removeRun(id)
    if (done.length > 0) {
      app.notify(t('manage.deleted', { n: done.length }, done.length), 'info', UNDO_MS, {
        label: t('manage.undo'),
        run: () => void restore(done),
      })
    }
    reportFailures(failed)
    return done
  }

  function askCancel(total: number, active: number): Promise<boolean> {
    return ask({
      title: t('manage.confirmTitle'),
      text: total === 1 ? t('manage.confirmActiveOne') : t('manage.confirmActive', { n: active }, active),
      confirm: t('manage.confirmCancelDelete'),
      cancel: t('manage.keep'),
      danger: true,
    })
  }

  /** Brings runs back from the trash (Undo, or the trash view). */
  async function restore(ids: string[]): Promise<string[]> {
    return withBusy(ids, async () => {
      try {
        const r = await api['runs.restore'](ids)
        for (const e of r.done) {
          if (isCorrupt(e)) runs.corrupt[e.id] = e
          else runs.applyRun(e)
        }
        const back = new Set(r.done.map((e) => e.id))
        trashed.value = trashed.value.filter((x) => !back.has(x.run.id))
        if (back.size > 0) app.notify(t('manage.restored', { n: back.size }, back.size))
        reportFailures(r.failed)
        return [...back]
      } catch (e) {
        app.reportError(e)
        return []
      }
    })
  }

  /** Deletes trashed runs for good; the caller has asked. */
  async function purge(ids: string[]): Promise<string[]> {
    return withBusy(ids, async () => {
      try {
        const r = await api['runs.purge'](ids)
        const gone = new Set(r.done)
        trashed.value = trashed.value.filter((x) => !gone.has(x.run.id))
        if (gone.size > 0) app.notify(t('manage.trash.purged', { n: gone.size }, gone.size))
        reportFailures(r.failed)
        return r.done
      } catch (e) {
        app.reportError(e)
        return []
      }
    })
  }

  /**
   * Renames, notes, tags or archives runs. Resolves with the updated runs; an edit main refuses whole
   * (a field error) rejects, for the editor to show next to its field.
   */
  async function edit(ids: string[], change: RunEditInput): Promise<RunRecord[]> {
    return withBusy(ids, async () => {
      const r = await api['runs.edit'](ids, change)
      for (const run of r.done) runs.applyRun(run)
      reportFailures(r.failed)
      return r.done
    })
  }

  /** An edit from a bulk action: a refusal becomes a notice, as there is no field to show it next to. */
  async function editAll(ids: string[], change: RunEditInput): Promise<RunRecord[]> {
    try {
      return await edit(ids, change)
    } catch (e) {
      app.reportError(e)
      return []
    }
  }

  async function archive(ids: string[], archived: boolean): Promise<void> {
    const done = await editAll(ids, { archived })
    if (done.length > 0) {
      const key = archived ? 'manage.archivedN' : 'manage.unarchivedN'
      app.notify(t(key, { n: done.length }, done.length))
    }
  }

  async function tag(ids: string[], tagName: string, add: boolean): Promise<void> {
    const done = await editAll(ids, add ? { addTags: [tagName] } : { removeTags: [tagName] })
    if (done.length > 0) {
      app.notify(
        t(add ? 'manage.taggedN' : 'manage.untaggedN', { n: done.length, tag: tagName }, done.length),
      )
    }
  }

  // ---- the trash ----
  const trashed = ref<TrashedRun[]>([])
  const trashLoaded = ref(false)
  const trashLoading = ref(false)
  const trashError = ref<string | null>(null)
  const trashCount = computed(() => trashed.value.length)

  async function loadTrash(): Promise<void> {
    trashLoading.value = true
    try {
      trashed.value = await api['runs.trashed']()
      trashLoaded.value = true
      trashError.value = null
    } catch (e) {
      trashError.value = toApiError(e).message
    } finally {
      trashLoading.value = false
    }
  }

  // Another window or process deleted, restored or purged runs: read the trash again (once per burst).
  let reload: ReturnType<typeof setTimeout> | null = null
  api.on('trash', () => {
    if (!trashLoaded.value || reload) return
    reload = setTimeout(() => {
      reload = null
      void loadTrash()
    }, 150)
  })
  onReconnect(() => {
    if (trashLoaded.value) void loadTrash()
  })

  return {
    question,
    ask,
    busy,
    isBusy,
    deleteRuns,
    restore,
    purge,
    edit,
    editAll,
    archive,
    tag,
    trashed,
    trashLoaded,
    trashLoading,
    trashError,
    trashCount,
    loadTrash,
  }
})
