// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setTransport } from '../api'
import { useAppStore } from '../stores/app'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const wrappers: { unmount(): void }[] = []
afterEach(() => {
  for (const w of wrappers.splice(0)) w.unmount()
  setTransport(null)
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

function captureSaves(): string[] {
  const names: string[] = []
  vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x')
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    names.push(this.download)
  })
  return names
}

async function open(run: ReturnType<typeof makeRun>, extra: Record<string, unknown> = {}) {
  const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(), 'runs.mosaic': null, ...extra })
  const mounted = await mountAt(`/runs/${run.id}`, t)
  wrappers.push(mounted.wrapper)
  await flushPromises()
  return { ...mounted, t }
}

describe('RunDetailView exports', () => {
  it('exports metrics and the checkpoint of a finished run and saves them', async () => {
    const run = makeRun({ checkpointEpoch: 10 })
    const names = captureSaves()
    const { wrapper, t } = await open(run, {
      'runs.export': (_ids: unknown, format: unknown) => ({
        fileName: `run.${String(format)}`,
        mime: 'application/json',
        base64: btoa('[]'),
      }),
      'runs.exportCheckpoint': { fileName: 'run.safetensors', mime: 'application/octet-stream', base64: '' },
    })
    await wrapper.get('[data-testid="export-json"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenCalledWith([run.id], 'json', { locale: 'en' })
    // A report takes the page's smoothing slider with it.
    await wrapper.get('[data-testid="ema-slider"]').setValue('0.3')
    await wrapper.get('[data-testid="export-html"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenLastCalledWith([run.id], 'html', {
      locale: 'en',
      smoothing: 0.3,
    })
    await wrapper.get('[data-testid="export-checkpoint"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.exportCheckpoint']).toHaveBeenCalledWith(run.id)
    expect(names).toEqual(['run.json', 'run.html', 'run.safetensors'])
  })

  it('asks once while an export is in flight, and reports failures', async () => {
    const run = makeRun({ checkpointEpoch: 10 })
    let reject: (e: unknown) => void = () => undefined
    const { wrapper, t } = await open(run, {
      'runs.export': () => new Promise((_, r) => (reject = r)),
    })
    await wrapper.get('[data-testid="export-pdf"]').trigger('click')
    await wrapper.get('[data-testid="export-pdf"]').trigger('click')
    expect(t.api.mocks['runs.export']).toHaveBeenCalledTimes(1)
    expect(wrapper.get('[data-testid="export-pdf"]').attributes('disabled')).toBeDefined()
    reject({ code: 'internal', message: 'no PDF engine' })
    await flushPromises()
    expect(useAppStore().notices).toMatchObject([{ kind: 'error', text: 'no PDF engine' }])
    expect(wrapper.get('[data-testid="export-pdf"]').attributes('disabled')).toBeUndefined()
  })

  it('says how to export metrics too large for the app, in the UI language', async () => {
    const run = makeRun({ checkpointEpoch: 10 })
    const { wrapper } = await open(run, {
      'runs.export': () => Promise.reject({ code: 'too-large', message: 'main says so in English' }),
      'app.info': {
        version: '0',
        contractVersion: 1,
        mode: 'browser',
        dataDir: '/home/me/wb data',
        maxThreads: 2,
      },
    })
    await useAppStore().load()
    await wrapper.get('[data-testid="export-csv"]').trigger('click')
    await flushPromises()
    expect(useAppStore().notices.at(-1)).toMatchObject({
      kind: 'error',
      text:
        'This export is larger than 32 MB, more than the app hands over at once. Write it to a file from a ' +
        `terminal: workbench export ${run.id} --format csv --out metrics.csv --data-dir '/home/me/wb data'`,
    })
    useAppStore().setLocale('zh-CN')
    await wrapper.get('[data-testid="export-json"]').trigger('click')
    await flushPromises()
    expect(useAppStore().notices.at(-1)!.text).toMatch(/^此导出超过 32 MB.*--format json --out metrics\.json/)
  })

  it('offers no checkpoint before the run has saved parameters', async () => {
    const { wrapper } = await open(makeRun({ status: 'queued', checkpointEpoch: 0 }))
    expect(wrapper.get('[data-testid="export-checkpoint"]').attributes('disabled')).toBeDefined()
  })
})
