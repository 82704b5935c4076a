// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { GroupOptions } from '../../../src-shared/runGroups'
import { createAppI18n } from '../i18n'
import type { Locale } from '../i18n/locale'
import CompareGroupControls from './CompareGroupControls.vue'

const FIELDS = ['model.hiddenDim', 'solver.optimConfig.learningRate']

/** Mounted with v-model wired as a parent does: each emitted value becomes the next prop. */
function mountControls(initial: GroupOptions | null = null, locale: Locale = 'en') {
  const wrapper = mount(CompareGroupControls, {
    props: {
      modelValue: initial,
      fields: FIELDS,
      'onUpdate:modelValue': (v: GroupOptions | null) => void wrapper.setProps({ modelValue: v }),
    },
    global: { plugins: [createAppI18n(locale)] },
  })
  const value = () => wrapper.props('modelValue') as GroupOptions | null
  return { wrapper, value }
}

describe('CompareGroupControls', () => {
  it('groups by everything except the seed, with the default line and band', async () => {
    const { wrapper, value } = mountControls()
    expect(wrapper.find('[data-testid="group-center"]').exists()).toBe(false)
    await wrapper.get('[data-testid="group-by"]').setValue('except-seed')
    expect(value()).toEqual({ by: { kind: 'except-seed' }, center: 'mean', spread: 'std', members: false })
    expect(wrapper.find('[data-testid="group-center"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="group-field"]').exists()).toBe(false)
  })

  it('groups by the ticked fields, the first one ticked straight away, in the listed order', async () => {
    const { wrapper, value } = mountControls()
    await wrapper.get('[data-testid="group-by"]').setValue('fields')
    expect(value()?.by).toEqual({ kind: 'fields', fields: ['model.hiddenDim'] })
    const boxes = wrapper.findAll('[data-testid="group-field"]')
    expect(boxes.map((b) => (b.element as HTMLInputElement).checked)).toEqual([true, false])
    expect(wrapper.findAll('.fields label').map((l) => l.text())).toEqual(['hiddenDim', 'learningRate'])
    await boxes[1]!.setValue(true)
    expect(value()?.by).toEqual({
      kind: 'fields',
      fields: ['model.hiddenDim', 'solver.optimConfig.learningRate'],
    })
    await boxes[0]!.setValue(false)
    expect(value()?.by).toEqual({ kind: 'fields', fields: ['solver.optimConfig.learningRate'] })
    // Every box unticked: no grouping, but the boxes stay to tick another.
    await wrapper.findAll('[data-testid="group-field"]')[1]!.setValue(false)
    expect(value()).toBeNull()
    expect(wrapper.findAll('[data-testid="group-field"]')).toHaveLength(2)
  })

  it('changes the line, the band and the member curves, keeping the grouping', async () => {
    const { wrapper, value } = mountControls({
      by: { kind: 'except-seed' },
      center: 'mean',
      spread: 'std',
      members: false,
    })
    await wrapper.get('[data-testid="group-center"]').setValue('median')
    await wrapper.get('[data-testid="group-band"]').setValue('ci95')
    await wrapper.get('[data-testid="group-members"]').setValue(true)
    expect(value()).toEqual({ by: { kind: 'except-seed' }, center: 'median', spread: 'ci95', members: true })
    await wrapper.get('[data-testid="group-band"]').setValue('minmax')
    expect(value()?.spread).toBe('minmax')
    await wrapper.get('[data-testid="group-by"]').setValue('')
    expect(value()).toBeNull()
    expect(wrapper.find('[data-testid="group-band"]').exists()).toBe(false)
  })

  it('follows a grouping set from outside (the URL)', async () => {
    const { wrapper } = mountControls()
    await wrapper.setProps({
      modelValue: {
        by: { kind: 'fields', fields: [FIELDS[1]!] },
        center: 'median',
        spread: 'minmax',
        members: true,
      },
    })
    expect((wrapper.get('[data-testid="group-by"]').element as HTMLSelectElement).value).toBe('fields')
    const boxes = wrapper.findAll('[data-testid="group-field"]')
    expect(boxes.map((b) => (b.element as HTMLInputElement).checked)).toEqual([false, true])
    expect((wrapper.get('[data-testid="group-center"]').element as HTMLSelectElement).value).toBe('median')
    expect((wrapper.get('[data-testid="group-members"]').element as HTMLInputElement).checked).toBe(true)
  })

  it('cannot group by fields when no field differs', () => {
    const wrapper = mount(CompareGroupControls, {
      props: { modelValue: null, fields: [] },
      global: { plugins: [createAppI18n('en')] },
    })
    expect(
      wrapper.get('[data-testid="group-by"] option[value="fields"]').attributes('disabled'),
    ).toBeDefined()
  })

  it('speaks Chinese', () => {
    const { wrapper } = mountControls(
      { by: { kind: 'except-seed' }, center: 'mean', spread: 'ci95', members: false },
      'zh-CN',
    )
    expect(wrapper.text()).toContain('分组依据')
    expect(wrapper.get('[data-testid="group-by"]').text()).toContain('除随机种子外的全部设置')
    expect(wrapper.get('[data-testid="group-band"]').text()).toContain('95% 置信区间')
  })
})
