import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { binLayout, type LayerSeries } from '../../../src-shared/layerStats'
import { parseLayerLine } from '../../../src-shared/layerSchema'
import type { RunRecord } from '../../../src-shared/runs'
import { makeCapture } from '../store/testingLayers'
import { makeRecord } from '../store/testing'
import { exportRuns, type MetricsSource } from './files'
import type { MetricsJson } from './metrics'
import type { ReportSource } from './report/build'

describe('the JSON export holds each run’s layer captures (issue 15)', () => {
  const captured = makeRecord({ status: 'completed' })
  const plain = makeRecord({ status: 'completed' })
  const captures = [10, 20, 30].map((i) => makeCapture(i, { ratios: [3e-3, 4e-4] }))
  captures[1]!.layers[0]!.updateRatio = NaN
  const records: RunRecord[] = [captured, plain]
  const readLayers = vi.fn(async (id: string): Promise<LayerSeries> => ({
    captures: id === captured.id ? captures : [],
    bins: binLayout(),
    skippedLines: 0,
  }))
  const source: ReportSource & MetricsSource = {
    getRun: async (id) => records.find((r) => r.id === id)!,
    readMetricsWith: (_id, reader) => reader(join(tmpdir(), 'wb-no-such-run', 'metrics.jsonl')),
    mosaic: async () => null,
    readLayers,
  }

  it('every capture, in order, with the bin layout; none for a run without any', async () => {
    const file = await exportRuns(source, [captured.id, plain.id], 'json')
    const text = new TextDecoder().decode(file.bytes)
    const doc = JSON.parse(text) as MetricsJson
    expect(doc.runs[0]!.layers!.bins).toEqual(binLayout())
    // A NaN is written as null (JSON has none) and reads back as NaN through the capture schema.
    const back = doc.runs[0]!.layers!.captures.map((c) => parseLayerLine(JSON.stringify(c)))
    expect(back).toEqual(captures)
    expect(doc.runs[1]).not.toHaveProperty('layers')
    // One capture a line, so the file stays about the size of the captures themselves.
    expect(text.split('\n').filter((l) => l.includes('"iteration":'))).toHaveLength(3)
    expect(readLayers).toHaveBeenCalledTimes(2)
  })

  it('the CSV (one row a step) reads no captures', async () => {
    readLayers.mockClear()
    await exportRuns(source, [captured.id], 'csv')
    expect(readLayers).not.toHaveBeenCalled()
  })
})
