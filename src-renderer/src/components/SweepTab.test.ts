// @vitest-environment happy-dom
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import fcBatchnorm from '../../../examples/fc-batchnorm.json'
import randomSearch from '../../../examples/seed-random-search.json'
import type { DatasetSummary, Example } from '../../../src-shared/contract'
import { getPath } from '../../../src-shared/paths'
import { expandSweep, formatParamValue } from '../../../src-shared/sweep'
import { setTransport } from '../api'
import { datasetSummary } from '../testing/datasetFixtures'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const datasets: DatasetSummary[] = [
  datasetSummary({
    name: 'fashion-mnist-small',
    source: 'builtin',
    format: 'idx',
    counts: { train: 6000, test: 1000 },
    shape: [1, 28, 28],
    classNames: [],
    sizeOnDisk: 1,
  }),
]
const examples: Example[] = [
  { file: 'fc-batchnorm.json', kind: 'run', name: fcBatchnorm.name, value: fcBatchnorm },
  { file: 'seed-random-search.json', kind: 'sweep', name: randomSearch.name, value: randomSearch },
]

function setup(results: Parameters<typeof fakeTransport>[0] = {}) {
  return fakeTransport({ 'datasets.list': datasets, 'examples.list': examples, ...results })
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

type W = VueWrapper
const get = (w: W, id: string) => w.get<HTMLInputElement>(`[data-testid="${id}"]`)
const value = (w: W, id: string): string => get(w, id).element.value

async function openSweepTab(locale: 'en' | 'zh-CN' = 'en', results = {}) {
  const t = setup(results)
  const { wrapper, router } = await mountAt('/new', t, locale)
  await get(wrapper, 'tab-sweep').trigger('click')
  return { wrapper, router, t }
}

/** Everything the builder's controls hold, to compare a form before and after a round trip. */
function snapshot(w: W): [string, string | boolean][] {
  return w
    .get('[data-testid="sweep-builder"]')
    .findAll('input, select')
    .map((el) => {
      const e = el.element as HTMLInputElement
      const id = e.dataset['testid'] ?? e.id
      return [id, e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value] as [
        string,
        string | boolean,
      ]
    })
    .filter(([id]) => id !== 'sweep-add-param')
}

async function jsonView(w: W) {
  await get(w, 'sweep-view-json').trigger('click')
  return w.get<HTMLTextAreaElement>('[data-testid="sweep-editor"]')
}

/** Builds the e2e's sweep by hand: fc base, a log learning rate, a list of hidden sizes, random search. */
async function build(w: W): Promise<void> {
  await get(w, 'sweep-base-source').setValue('preset:fc-batchnorm.json')
  while (w.find('[data-testid="sweep-param-0-remove"]').exists())
    await get(w, 'sweep-param-0-remove').trigger('click')
  await get(w, 'sweep-field-name').setValue('built by hand')
  await get(w, 'sweep-add-param').setValue('solver.optimConfig.learningRate')
  await get(w, 'sweep-param-0-min').setValue('1e-4')
  await get(w, 'sweep-param-0-max').setValue('1e-2')
  await get(w, 'sweep-add-param').setValue('model.hiddenDims')
  await get(w, 'sweep-param-1-values').setValue('100; 200, 200; 300')
  await get(w, 'sweep-method-random').setValue(true)
  await get(w, 'sweep-field-samples').setValue('5')
  await get(w, 'sweep-field-seed').setValue('7')
}

const BUILT = {
  version: 1,
  name: 'built by hand',
  method: 'random',
  samples: 5,
  seed: 7,
  base: Object.fromEntries(Object.entries(fcBatchnorm).filter(([k]) => k !== 'name')),
  params: {
    'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log' },
    'model.hiddenDims': { values: [[100], [200, 200], [300]] },
  },
}

describe('the sweep builder', () => {
  it('opens with the random-search example in the form', async () => {
    const { wrapper } = await openSweepTab()
    expect(value(wrapper, 'sweep-field-name')).toBe(randomSearch.name)
    const rows = wrapper.findAll('[data-testid^="sweep-param-"][data-path]')
    expect(rows.map((r) => r.attributes('data-path'))).toEqual(Object.keys(randomSearch.params))
    expect(value(wrapper, 'sweep-param-0-values')).toBe('50, 100, 150, 200')
    expect(value(wrapper, 'sweep-param-1-min')).toBe('0.0001')
    expect(value(wrapper, 'sweep-param-1-scale')).toBe('log')
    expect(get(wrapper, 'sweep-count').attributes('data-count')).toBe('8')
  })

  it('opens with the example again on a later visit, when the examples are already loaded', async () => {
    const { wrapper, router } = await openSweepTab()
    await router.push('/experiments')
    await router.push('/new')
    await flushPromises()
    await get(wrapper, 'tab-sweep').trigger('click')
    expect(value(wrapper, 'sweep-field-name')).toBe(randomSearch.name)
  })

  it('builds a sweep, previews the runs expandSweep creates, keeps it through the JSON view, and queues it', async () => {
    const { wrapper, t, router } = await openSweepTab('en', {
      'runs.createSweep': () => ({
        sweepId: 's1',
        runs: [makeRun({ config: { tags: ['sweep:built by hand'] } })],
      }),
    })
    await build(wrapper)

    // The preview: the count and each run's values, exactly as expandSweep makes them, before anything is queued.
    const expected = expandSweep(BUILT)
    if (!expected.ok) throw new Error(JSON.stringify(expected.errors))
    expect(get(wrapper, 'sweep-count').text()).toBe('Creates 5 runs')
    const shown = wrapper
      .findAll('[data-testid="sweep-preview-run"]')
      .map((r) => r.findAll('td[data-path]').map((c) => c.text()))
    expect(shown).toEqual(
      expected.value.configs.map((c) => [
        formatParamValue(getPath(c, 'solver.optimConfig.learningRate')),
        (getPath(c, 'model.hiddenDims') as number[]).join(', '),
      ]),
    )
    expect(t.api.mocks['runs.createSweep']).not.toHaveBeenCalled()

    // The JSON view holds the same spec; back in the form, nothing is lost.
    const before = snapshot(wrapper)
    let editor = await jsonView(wrapper)
    expect(JSON.parse(editor.element.value)).toEqual(BUILT)
    await get(wrapper, 'sweep-view-form').trigger('click')
    expect(snapshot(wrapper)).toEqual(before)

    // A JSON edit that parses rebuilds the form; one that does not keeps the form as it was.
    editor = await jsonView(wrapper)
    await editor.setValue(JSON.stringify({ ...BUILT, samples: 6 }))
    await get(wrapper, 'sweep-view-form').trigger('click')
    expect(value(wrapper, 'sweep-field-samples')).toBe('6')
    expect(get(wrapper, 'sweep-count').attributes('data-count')).toBe('6')
    editor = await jsonView(wrapper)
    await editor.setValue('{ "name": "broken", ')
    expect(get(wrapper, 'sweep-json-error').text()).toMatch(/^Not valid JSON: /)
    await get(wrapper, 'sweep-view-form').trigger('click')
    expect(get(wrapper, 'sweep-json-kept').text()).toBe(
      'The JSON view has an error, so the form still shows the last version that parsed.',
    )
    expect(value(wrapper, 'sweep-field-name')).toBe('built by hand')
    expect(value(wrapper, 'sweep-field-samples')).toBe('6')
    // Editing the form writes the JSON afresh from it.
    await get(wrapper, 'sweep-field-samples').setValue('5')
    expect(wrapper.find('[data-testid="sweep-json-kept"]').exists()).toBe(false)

    await wrapper.get('[data-testid="sweep-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.createSweep']).toHaveBeenCalledWith(BUILT)
    expect(router.currentRoute.value.path).toBe('/experiments')
    expect(router.currentRoute.value.query.q).toBe('sweep:built by hand')
  })

  it('reads every kind of parameter back from its spec as it was in the form', async () => {
    const { wrapper } = await openSweepTab()
    await get(wrapper, 'sweep-base-source').setValue('preset:fc-batchnorm.json')
    while (wrapper.find('[data-testid="sweep-param-0-remove"]').exists())
      await get(wrapper, 'sweep-param-0-remove').trigger('click')
    await get(wrapper, 'sweep-method-grid').setValue(true)
    const add = (path: string) => get(wrapper, 'sweep-add-param').setValue(path)
    // A log range, a linear range, a range of whole numbers, numbers, lists, choices, a nullable choice, any path.
    await add('solver.optimConfig.learningRate')
    await get(wrapper, 'sweep-param-0-steps').setValue('3')
    await add('model.dropoutKeepRatio')
    await get(wrapper, 'sweep-param-1-scale').setValue('linear')
    await add('solver.batchSize')
    await get(wrapper, 'sweep-param-2-kind-range').trigger('click')
    await get(wrapper, 'sweep-param-2-integer').setValue(true)
    await get(wrapper, 'sweep-param-2-scale').setValue('linear')
    await add('model.reg')
    await get(wrapper, 'sweep-param-3-kind-values').trigger('click')
    await get(wrapper, 'sweep-param-3-values').setValue('0, 1e-3')
    await add('model.hiddenDims')
    await add('solver.updateRule')
    await get(wrapper, 'sweep-param-5-option-sgd').setValue(false)
    await get(wrapper, 'sweep-param-5-option-rmsprop').setValue(false)
    await add('model.normalization')
    await get(wrapper, 'sweep-param-6-option-layernorm').setValue(false)
    await get(wrapper, 'sweep-add-param').setValue('\u0000other')
    await get(wrapper, 'sweep-param-7-custom').setValue('solver.numValSamples')
    await get(wrapper, 'sweep-param-7-values').setValue('200, 400')
    expect(wrapper.findAll('[role="alert"]').map((e) => e.text())).toEqual([])
    const spec = JSON.parse((await jsonView(wrapper)).element.value) as { params: Record<string, unknown> }
    expect(spec.params).toEqual({
      'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log', steps: 3 },
      'model.dropoutKeepRatio': { min: 0.5, max: 1, scale: 'linear', steps: 3 },
      'solver.batchSize': { min: 50, max: 200, scale: 'linear', integer: true, steps: 3 },
      'model.reg': { values: [0, 1e-3] },
      'model.hiddenDims': {
        values: [
          [100, 100],
          [200, 200],
        ],
      },
      'solver.updateRule': { values: ['sgdMomentum', 'adam'] },
      'model.normalization': { values: [null, 'batchnorm'] },
      'solver.numValSamples': { values: [200, 400] },
    })
    await get(wrapper, 'sweep-view-form').trigger('click')
    const before = snapshot(wrapper)
    // The spec read back into the form (a JSON edit that changes nothing but the layout) is the same form.
    const editor = await jsonView(wrapper)
    await editor.setValue(JSON.stringify(JSON.parse(editor.element.value)))
    await get(wrapper, 'sweep-view-form').trigger('click')
    expect(snapshot(wrapper)).toEqual(before)
    expect(get(wrapper, 'sweep-count').attributes('data-count')).toBe(String(3 * 3 * 3 * 2 * 2 * 2 * 2 * 2))
  })

  const MISTAKES = {
    version: 1,
    name: '',
    method: 'random',
    samples: 0,
    base: {
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer' },
      solver: { numEpochs: 0 },
    },
    params: {
      'solver.optimConfig.learningRate': { min: -1, max: 'abc', scale: 'log' },
      'model.hiddenDim': { values: [50, 1.5] },
      'model.hiddenDims': { values: [[100]] },
      'model.reg': { min: 1e-4, max: 1, scale: 'log', steps: 3 },
    },
  }

  it.each([
    [
      'en',
      {
        'sweep-error-name': 'Required',
        'sweep-error-samples': 'Must be at least 1',
        'sweep-error-param.0.min': 'Must be above 0 on a log scale',
        'sweep-error-param.0.max': 'Not a number',
        'sweep-error-param.1.values': '1.5: Must be a whole number',
        'sweep-error-param.2.path': 'The Two-layer net has no such field',
        'sweep-error-param.3.steps': 'Only grid search uses steps: clear this',
        'sweep-error-base': 'Epochs: Must be at least 1',
      },
    ],
    [
      'zh-CN',
      {
        'sweep-error-name': '必填',
        'sweep-error-samples': '必须不小于 1',
        'sweep-error-param.0.min': '对数刻度下必须大于 0',
        'sweep-error-param.0.max': '不是数字',
        'sweep-error-param.1.values': '1.5：必须是整数',
        'sweep-error-param.2.path': '两层网络没有这个字段',
        'sweep-error-param.3.steps': '只有网格搜索使用步数：请清空此项',
        'sweep-error-base': '轮数：必须不小于 1',
      },
    ],
  ] as const)('shows every problem at once, each next to its field (%s)', async (locale, expected) => {
    const { wrapper, t } = await openSweepTab(locale)
    const editor = await jsonView(wrapper)
    await editor.setValue(JSON.stringify(MISTAKES))
    // The JSON view lists them all, each with its field's name.
    expect(wrapper.findAll('[data-testid="sweep-errors"] li')).toHaveLength(Object.keys(expected).length)
    await get(wrapper, 'sweep-view-form').trigger('click')
    const errors = wrapper.findAll('[data-testid^="sweep-error-"]')
    expect(Object.fromEntries(errors.map((e) => [e.attributes('data-testid'), e.text()]))).toEqual(expected)
    // Next to its field: in the same field box as the control it is about.
    const control: Record<string, string> = {
      'sweep-error-name': 'sweep-field-name',
      'sweep-error-samples': 'sweep-field-samples',
      'sweep-error-param.0.min': 'sweep-param-0-min',
      'sweep-error-param.0.max': 'sweep-param-0-max',
      'sweep-error-param.1.values': 'sweep-param-1-values',
      'sweep-error-param.2.path': 'sweep-param-2-path',
      'sweep-error-param.3.steps': 'sweep-param-3-steps',
      'sweep-error-base': 'sweep-base-source',
    }
    for (const [err, ctl] of Object.entries(control)) {
      const box = wrapper.get(`[data-testid="${err}"]`).element.parentElement!
      expect(box.querySelector(`[data-testid="${ctl}"]`), err).not.toBeNull()
    }
    // Nothing can be queued, and the preview says why.
    expect(get(wrapper, 'submit-sweep').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="sweep-count"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="sweep-preview-blocked"]').exists()).toBe(true)
    await wrapper.get('[data-testid="sweep-form"]').trigger('submit')
    expect(t.api.mocks['runs.createSweep']).not.toHaveBeenCalled()
  })

  it('offers the fields the base’s model has, labelled as in the single-run form', async () => {
    const { wrapper } = await openSweepTab()
    const offered = () =>
      wrapper.findAll('[data-testid="sweep-add-param"] option').map((o) => o.attributes('value'))
    // The example's base is a two-layer net: its hidden size, not an fc net's hidden layers.
    expect(offered()).toContain('solver.batchSize')
    expect(offered()).not.toContain('model.hiddenDims')
    expect(offered()).not.toContain('model.hiddenDim') // already varied
    await get(wrapper, 'sweep-base-source').setValue('preset:fc-batchnorm.json')
    expect(offered()).toContain('model.hiddenDims')
    expect(offered()).toContain('model.dropoutKeepRatio')
    const labels = wrapper.findAll('[data-testid="sweep-add-param"] option').map((o) => o.text())
    expect(labels).toContain('Hidden layers')
    expect(labels).toContain('Dropout keep ratio')
    // The base's hidden size is now a field the fc net lacks: said on that param.
    expect(get(wrapper, 'sweep-error-param.0.path').text()).toBe('The Fully connected net has no such field')
  })

  it('takes its base from the Single run tab and follows it, or sends its base there to edit', async () => {
    const { wrapper } = await openSweepTab()
    await get(wrapper, 'sweep-base-source').setValue('run-form')
    const baseValue = (path: string) =>
      wrapper.find(`[data-testid="sweep-base-fields"] [data-path="${path}"] dd`)
    expect(baseValue('solver.batchSize').text()).toBe('100')
    await get(wrapper, 'tab-run').trigger('click')
    await get(wrapper, 'field-solver.batchSize').setValue('64')
    await get(wrapper, 'tab-sweep').trigger('click')
    expect(baseValue('solver.batchSize').text()).toBe('64')
    let spec = JSON.parse((await jsonView(wrapper)).element.value) as { base: Record<string, unknown> }
    expect(spec.base).toMatchObject({ dataset: { name: 'fashion-mnist-small' }, solver: { batchSize: 64 } })
    expect('name' in spec.base).toBe(false)
    await get(wrapper, 'sweep-view-form').trigger('click')

    // A loaded base, sent to the Single run tab to edit: the form shows it, and the sweep follows the form.
    await get(wrapper, 'sweep-base-source').setValue('preset:fc-batchnorm.json')
    await get(wrapper, 'sweep-base-edit').trigger('click')
    expect(get(wrapper, 'tab-run').attributes('aria-selected')).toBe('true')
    expect(value(wrapper, 'field-model.kind')).toBe('fc')
    expect(value(wrapper, 'field-solver.updateRule')).toBe('adam')
    expect(value(wrapper, 'field-solver.optimConfig.learningRate')).toBe('0.001')
    await get(wrapper, 'field-solver.numEpochs').setValue('3')
    await get(wrapper, 'field-name').setValue('my base')
    await get(wrapper, 'tab-sweep').trigger('click')
    expect(value(wrapper, 'sweep-base-source')).toBe('run-form')
    spec = JSON.parse((await jsonView(wrapper)).element.value) as { base: Record<string, unknown> }
    expect(spec.base).toMatchObject({ model: { kind: 'fc' }, solver: { updateRule: 'adam', numEpochs: 3 } })
    expect(spec.base.tags).toEqual(['example'])
    // Already the Single run tab's: editing it just goes there, the form as it is.
    await get(wrapper, 'sweep-view-form').trigger('click')
    await get(wrapper, 'sweep-base-edit').trigger('click')
    expect(value(wrapper, 'field-solver.numEpochs')).toBe('3')
    expect(value(wrapper, 'field-name')).toBe('my base')
  })

  it('shows the server’s field errors on their fields', async () => {
    const { wrapper } = await openSweepTab('en', {
      'runs.createSweep': () =>
        Promise.reject({
          code: 'invalid-config',
          message: 'invalid sweep',
          fields: [
            { path: 'params.solver.optimConfig.learningRate.min', message: 'must be above 0 on a log scale' },
          ],
        }),
    })
    await wrapper.get('[data-testid="sweep-form"]').trigger('submit')
    await flushPromises()
    expect(get(wrapper, 'sweep-error-param.1.min').text()).toBe('Must be above 0 on a log scale')
    expect(get(wrapper, 'submit-sweep').attributes('disabled')).toBeDefined()
    // A change clears what the server said about the old spec.
    await get(wrapper, 'sweep-param-1-min').setValue('2e-4')
    expect(wrapper.find('[data-testid="sweep-error-param.1.min"]').exists()).toBe(false)
  })
})
