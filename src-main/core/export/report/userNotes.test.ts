import { describe, expect, it } from 'vitest'
import { makeRecord } from '../../store/testing'
import { renderReport } from './render'

const withNotes = (name: string, notes: string) =>
  makeRecord({ status: 'completed', config: { ...makeRecord().config, name, notes } })

describe('report notes', () => {
  it("shows a run's notes as written, multi-line and escaped, in both languages", () => {
    const run = withNotes('noted', 'lr too high?\n<b>loss</b> flat after epoch 3')
    const html = renderReport([{ record: run, metrics: [], mosaic: null }])
    expect(html).toContain(
      '<section id="notes"><h2>Notes</h2><p class="user-notes">lr too high?\n&lt;b&gt;loss&lt;/b&gt; flat after epoch 3</p></section>',
    )
    expect(html).toContain('.user-notes { white-space: pre-wrap;')
    const zh = renderReport([{ record: run, metrics: [], mosaic: null }], { locale: 'zh-CN' })
    expect(zh).toContain('<section id="notes"><h2>备注</h2>')
  })

  it('names each run with notes in a report of several; none without notes', () => {
    const html = renderReport([
      { record: withNotes('first', 'kept'), metrics: [], mosaic: null },
      { record: withNotes('second', '  '), metrics: [], mosaic: null },
    ])
    expect(html).toContain(
      '<section id="notes"><h2>Notes</h2><h3>first</h3><p class="user-notes">kept</p></section>',
    )
    expect(html).not.toContain('<h3>second</h3><p class="user-notes">')
    expect(renderReport([{ record: withNotes('x', ''), metrics: [], mosaic: null }])).not.toContain(
      'id="notes"',
    )
  })
})
