// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import type { Notice } from '../../../src-shared/contract'
import { setTransport } from '../api'
import { createAppI18n } from '../i18n'
import { useAppStore } from '../stores/app'
import { fakeTransport, type FakeTransport } from '../testing/fakeApi'
import StorageBanner from './StorageBanner.vue'

const notice: Notice = {
  kind: 'storage',
  code: 'disk-full',
  path: '/data/wb',
  message: 'the disk holding /data/wb is full: free some space, then resume the run',
  runId: '20261201-120000-abcdef',
  at: '2026-12-01T12:00:00.000Z',
}

describe('the storage banner', () => {
  let t: FakeTransport
  beforeEach(() => {
    t = fakeTransport()
    setTransport(t)
    setActivePinia(createPinia())
  })
  afterEach(() => setTransport(null))

  it("shows main's notice in the UI's language until dismissed", async () => {
    const i18n = createAppI18n('zh-CN')
    const app = useAppStore()
    const Host = defineComponent({
      setup: () => () => h(StorageBanner, { notice: app.storage, onDismiss: () => app.dismissStorage() }),
    })
    const w = mount(Host, { global: { plugins: [i18n] } })
    expect(w.find('[data-testid="storage-banner"]').exists()).toBe(false)
    t.api.emit('notice', notice)
    await w.vm.$nextTick()
    const banner = w.get('[data-testid="storage-banner"]')
    expect(banner.text()).toContain('/data/wb 所在的磁盘已满')
    expect(banner.text()).toContain('请释放一些空间')
    expect(banner.text()).toContain('运行 20261201-120000-abcdef 已停止。')
    expect(banner.attributes('role')).toBe('alert')
    await banner.get('button').trigger('click')
    expect(w.find('[data-testid="storage-banner"]').exists()).toBe(false)
    i18n.global.locale.value = 'en'
    t.api.emit('notice', { ...notice, code: 'read-only', runId: null })
    await w.vm.$nextTick()
    expect(w.get('[data-testid="storage-banner"]').text()).toContain('/data/wb is on a read-only disk')
  })
})
