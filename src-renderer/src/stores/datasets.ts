import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type {
  DatasetJob,
  DatasetPreview,
  DatasetSummary,
  DownloadSourceSummary,
  FolderInspection,
  ImportRequest,
} from '../../../src-shared/contract'
import { getApi, onReconnect } from '../api'
import { useAppStore } from './app'

/**
 * The datasets main knows, the sources it can download, and its import and download jobs. Jobs run in
 * main: their progress arrives as events in every window, and a reloaded page asks for them again.
 */
export const useDatasetsStore = defineStore('datasets', () => {
  const api = getApi()
  const list = ref<DatasetSummary[]>([])
  const loaded = ref(false)
  const sources = ref<DownloadSourceSummary[]>([])
  const jobsById = ref(new Map<string, DatasetJob>())
  const previews = ref(new Map<string, DatasetPreview>())
  let inFlight: Promise<void> | null = null

  /**
   * Loads once; `force` refreshes (after an import, say). `quiet`: a failure stays unsaid (a note on
   * another page that only shows when the list is known).
   */
  function load(force = false, quiet = false): Promise<void> {
    if ((loaded.value && !force) || inFlight) return inFlight ?? Promise.resolve()
    inFlight = api['datasets.list']()
      .then((l) => {
        list.value = l
        loaded.value = true
      })
      .catch((e: unknown) => {
        if (!quiet) useAppStore().reportError(e)
      })
      .finally(() => (inFlight = null))
    return inFlight
  }

  async function loadSources(): Promise<void> {
    try {
      sources.value = await api['datasets.sources']()
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  async function loadJobs(): Promise<void> {
    try {
      const jobs = await api['datasets.jobs']()
      jobsById.value = new Map(jobs.map((j) => [j.id, j]))
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  /** Everything the datasets page shows, fetched again (on opening it, after a reconnect). */
  async function refreshAll(): Promise<void> {
    await Promise.all([load(true), loadSources(), loadJobs()])
  }

  function applyJob(job: DatasetJob): void {
    const before = jobsById.value.get(job.id)
    const next = new Map(jobsById.value)
    next.set(job.id, job)
    jobsById.value = next
    // A download that stopped kept bytes to resume from: the source's card says how many.
    if (job.kind === 'download' && job.status !== 'running' && before?.status === 'running')
      void loadSources()
  }

  api.on('datasetJob', applyJob)
  api.on('datasets', (change) => {
    const next = new Map(previews.value)
    next.delete(change.name)
    previews.value = next
    void load(true)
    void loadSources()
  })
  // Events sent while the connection was down are lost: ask again.
  onReconnect(() => void (loaded.value ? refreshAll() : undefined))

  /** Running first, then finished, newest first; a later job for the same dataset hides earlier ones. */
  const jobs = computed(() =>
    [...jobsById.value.values()]
      .filter(
        (j) =>
          ![...jobsById.value.values()].some(
            (o) => o.name === j.name && o.kind === j.kind && o.startedAt > j.startedAt,
          ),
      )
      .sort(
        (a, b) =>
          Number(a.status !== 'running') - Number(b.status !== 'running') ||
          b.startedAt.localeCompare(a.startedAt),
      ),
  )
  const runningJobFor = (name: string): DatasetJob | undefined =>
    jobs.value.find((j) => j.name === name && j.status === 'running')

  const inspectFolder = (path: string): Promise<FolderInspection> => api['datasets.inspectFolder'](path)

  /** Starts an import; rejects (field errors) when main refuses the folder or the name. */
  async function startImport(path: string, request: ImportRequest): Promise<DatasetJob> {
    const job = await api['datasets.import'](path, request)
    applyJob(job)
    return job
  }

  async function startDownload(sourceName: string): Promise<DatasetJob> {
    const job = await api['datasets.download'](sourceName)
    applyJob(job)
    return job
  }

  async function cancelJob(id: string): Promise<void> {
    try {
      applyJob(await api['datasets.cancelJob'](id))
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  async function dismissJob(id: string): Promise<void> {
    try {
      await api['datasets.dismissJob'](id)
    } catch (e) {
      // Already gone from main (another window dismissed it): gone here too.
      if ((e as { code?: string }).code !== 'not-found') useAppStore().reportError(e)
    }
    const next = new Map(jobsById.value)
    next.delete(id)
    jobsById.value = next
  }

  async function preview(name: string): Promise<DatasetPreview> {
    const known = previews.value.get(name)
    if (known) return known
    const p = await api['datasets.preview'](name, { perClass: 7 })
    previews.value = new Map(previews.value).set(name, p)
    return p
  }

  /** Removes a dataset; rejects when main refuses (built in, needed by queued runs). */
  async function remove(name: string): Promise<void> {
    await api['datasets.remove'](name)
    list.value = list.value.filter((d) => d.name !== name)
  }

  const pickFolder = (): Promise<string | null> => api['dialog.pickFolder']()

  const byName = computed(() => new Map(list.value.map((d) => [d.name, d])))

  return {
    list,
    loaded,
    load,
    byName,
    sources,
    loadSources,
    jobs,
    loadJobs,
    refreshAll,
    applyJob,
    runningJobFor,
    inspectFolder,
    startImport,
    startDownload,
    cancelJob,
    dismissJob,
    preview,
    remove,
    pickFolder,
  }
})
