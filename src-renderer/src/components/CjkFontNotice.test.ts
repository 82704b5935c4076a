// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createAppI18n } from '../i18n'
import CjkFontNotice from './CjkFontNotice.vue'

function mountNotice(locale: 'en' | 'zh-CN', probe: () => boolean | null) {
  return mount(CjkFontNotice, {
    props: { locale, probe },
    global: { plugins: [createAppI18n(locale)] },
  })
}

describe('the missing-Chinese-font notice', () => {
  it('tells a Chinese UI without a Chinese font what to install, in English too, and offers English', async () => {
    const w = mountNotice('zh-CN', () => false)
    const notice = w.get('[data-testid="cjk-font-notice"]')
    expect(notice.text()).toContain('No Chinese font on this system')
    expect(notice.text()).toContain('sudo apt install fonts-noto-cjk')
    expect(notice.text()).toContain('系统中没有中文字体')
    expect(document.documentElement.dataset.cjkFont).toBe('missing')
    await w.get('[data-testid="cjk-font-english"]').trigger('click')
    expect(w.emitted('locale')).toEqual([['en']])
  })

  it('stays away when the font is there, when the UI is English, or when the page cannot tell', async () => {
    expect(
      mountNotice('zh-CN', () => true)
        .find('[data-testid="cjk-font-notice"]')
        .exists(),
    ).toBe(false)
    expect(document.documentElement.dataset.cjkFont).toBe('ok')
    const probe = vi.fn(() => false)
    const en = mountNotice('en', probe)
    expect(en.find('[data-testid="cjk-font-notice"]').exists()).toBe(false)
    // Checked when the UI turns Chinese, not before.
    expect(probe).not.toHaveBeenCalled()
    await en.setProps({ locale: 'zh-CN' })
    expect(probe).toHaveBeenCalledTimes(1)
    expect(en.find('[data-testid="cjk-font-notice"]').exists()).toBe(true)
    expect(
      mountNotice('zh-CN', () => null)
        .find('[data-testid="cjk-font-notice"]')
        .exists(),
    ).toBe(false)
  })
})
