// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { SettingsPatch } from '../../../src-shared/settings'
import { setTransport } from '../api'
import { useAppStore } from '../stores/app'
import { fakeTransport } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { settingsInfo } from '../testing/settingsFixtures'

afterEach(() => setTransport(null))

function api(over: Parameters<typeof settingsInfo>[0] = {}, mode: 'electron' | 'browser' = 'electron') {
  let info = settingsInfo(over)
  return fakeTransport({
    'app.info': { mode, dataDir: info.current.dataDir, memoryBudgetBytes: info.current.memoryBudgetBytes },
    'settings.get': () => info,
    'settings.set': (patch: SettingsPatch) => {
      if (patch.memoryBudget === 'lots') {
        throw {
          code: 'invalid-argument',
          message: 'patch.memoryBudget: expected a size such as 12GB',
          fields: [{ path: 'patch.memoryBudget', message: 'expected a size such as 12GB' }],
        }
      }
      const saved = { ...info.saved }
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete (saved as Record<string, unknown>)[k]
        else (saved as Record<string, unknown>)[k] = v
      }
      const restartNeeded = (['dataDir', 'maxThreads', 'memoryBudget'] as const).filter(
        (k) => saved[k] !== undefined,
      )
      info = settingsInfo({ ...over, saved, restartNeeded })
      return info
    },
    'settings.pickDataDir': '/mnt/big-disk/workbench',
  })
}

describe('SettingsView', () => {
  it('shows the data folder, threads and memory budget with their defaults and the settings file', async () => {
    const { wrapper } = await mountAt('/settings', api())
    expect(wrapper.get('h1').text()).toBe('Settings')
    expect(wrapper.get('[data-testid="settings-data-dir-now"]').text()).toBe(
      '/home/me/.local/share/workbench',
    )
    expect(wrapper.get('[data-testid="settings-threads"]').text()).toContain('Now: 4')
    expect(wrapper.get('[data-testid="settings-memory"]').text()).toContain('Now: 8 GB')
    expect(wrapper.get('[data-testid="settings-file"]').text()).toContain(
      '/home/me/.config/workbench/settings.json',
    )
    expect(wrapper.find('[data-testid="settings-restart"]').exists()).toBe(false)
  })

  it('picks a data folder with the desktop picker, saves it and says a restart applies it', async () => {
    const t = api()
    const { wrapper } = await mountAt('/settings', t)
    await wrapper.get('[data-testid="settings-data-dir-choose"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenCalledWith({ dataDir: '/mnt/big-disk/workbench' })
    expect(wrapper.get('[data-testid="settings-restart"]').text()).toBe(
      'Restart Workbench to apply: data folder.',
    )
    expect(wrapper.get('[data-testid="settings-data-dir-next"]').text()).toContain('/mnt/big-disk/workbench')
    await wrapper.get('[data-testid="settings-data-dir-default"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenLastCalledWith({ dataDir: null })
  })

  it('saves threads and a budget; a bad count is refused in place without asking main', async () => {
    const t = api()
    const { wrapper } = await mountAt('/settings', t)
    await wrapper.get('[data-testid="settings-threads-input"]').setValue('0')
    await wrapper.get('[data-testid="settings-threads"] form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-maxThreads"]').text()).toBe('A whole number from 1 to 256.')
    expect(t.api.mocks['settings.set']).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="settings-threads-input"]').setValue('2')
    await wrapper.get('[data-testid="settings-threads"] form').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenCalledWith({ maxThreads: 2 })
    expect(wrapper.find('[data-testid="field-error-maxThreads"]').exists()).toBe(false)
    await wrapper.get('[data-testid="settings-memory-input"]').setValue(' 6GB ')
    await wrapper.get('[data-testid="settings-memory"] form').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenLastCalledWith({ memoryBudget: '6GB' })
    expect(wrapper.get('[data-testid="settings-restart"]').text()).toContain('parallel runs, memory budget')
    // Emptied: back to the default.
    await wrapper.get('[data-testid="settings-threads-input"]').setValue('')
    await wrapper.get('[data-testid="settings-threads"] form').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenLastCalledWith({ maxThreads: null })
    // Back to the default: nothing waits for a restart, and the notice does not say so.
    expect(useAppStore().notices.at(-1)?.text).toBe('Saved.')
  })

  it("shows main's field error beside the field", async () => {
    const { wrapper } = await mountAt('/settings', api())
    await wrapper.get('[data-testid="settings-memory-input"]').setValue('lots')
    await wrapper.get('[data-testid="settings-memory"] form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-memoryBudget"]').text()).toBe(
      'expected a size such as 12GB',
    )
  })

  it('in the browser mode the data folder is --data-dir, and overrides are named', async () => {
    const t = api(
      {
        editable: { dataDir: false, maxThreads: true, memoryBudget: true },
        overriddenBy: { dataDir: '--data-dir', maxThreads: '--threads' },
      },
      'browser',
    )
    const { wrapper } = await mountAt('/settings', t)
    expect(wrapper.find('[data-testid="settings-data-dir-choose"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="settings-data-dir-browser"]').text()).toContain('--data-dir')
    expect(wrapper.get('[data-testid="settings-threads"]').text()).toContain('--threads decides this for now')
  })

  it('offers the welcome screen again once dismissed', async () => {
    const t = api({ saved: { firstRunDismissed: true }, firstRun: false })
    const { wrapper } = await mountAt('/settings', t)
    await wrapper.get('[data-testid="settings-first-run-show"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenCalledWith({ firstRunDismissed: false })
  })

  it('is in Chinese too', async () => {
    const { wrapper } = await mountAt('/settings', api(), 'zh-CN')
    expect(wrapper.get('h1').text()).toBe('设置')
    expect(wrapper.get('[data-testid="settings-threads"]').text()).toContain('并行运行数')
  })
})
