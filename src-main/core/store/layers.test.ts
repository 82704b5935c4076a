import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN_COUNT, type LayerCapture } from '../../../src-shared/layerStats'
import { LayerLineError, parseLayerLine } from '../../../src-shared/layerSchema'
import type { StoreProblem } from './errors'
import { LayersLog } from './layersLog'
import { thinEvenly as thin } from '../../../src-shared/layerStats'
import { readLayers } from './layersRead'
import { makeTempDir } from './testing'
import { layersText, makeCapture } from './testingLayers'

let dir = ''
let cleanup: () => Promise<void> = async () => {}
let path = ''
beforeEach(async () => {
  ;({ dir, cleanup } = await makeTempDir('wb-layers-'))
  path = join(dir, 'layers.jsonl')
})
afterEach(() => cleanup())

const iterations = (cs: LayerCapture[]): number[] => cs.map((c) => c.iteration)

describe('layer capture lines (layerSchema.ts)', () => {
  it('reads back what was written, NaN norms (null in JSON) included', () => {
    const c = makeCapture(40, { ratios: [2e-3, 5e-4] })
    c.layers[0]!.updateRatio = NaN
    expect(parseLayerLine(JSON.stringify(c))).toEqual(c)
  })

  it('refuses lines that are not captures, saying where', () => {
    const c = makeCapture(1)
    const bad = (mutate: (o: Record<string, unknown>) => void): string => {
      const o = JSON.parse(JSON.stringify(c)) as Record<string, unknown>
      mutate(o)
      return JSON.stringify(o)
    }
    expect(() => parseLayerLine('{"iteration": 3, "layers": [')).toThrow(/not JSON/)
    expect(() => parseLayerLine(bad((o) => (o.iteration = -1)))).toThrow(/iteration/)
    expect(() => parseLayerLine(bad((o) => (o.reason = 'sometimes')))).toThrow(/reason/)
    expect(() =>
      parseLayerLine(
        bad((o) => ((o.layers as { weight: { hist: { lo: number } } }[])[0]!.weight.hist.lo = BIN_COUNT)),
      ),
    ).toThrow(/layers\.0\.weight\.hist\.lo/)
    expect(() => parseLayerLine(bad((o) => delete o.layers))).toThrow(LayerLineError)
  })
})

describe('readLayers', () => {
  it('a missing file is an empty series', async () => {
    const s = await readLayers(path)
    expect(s).toMatchObject({ captures: [], skippedLines: 0, totalCaptures: 0 })
    expect(s.bins.count).toBe(BIN_COUNT)
  })

  it('skips and counts damaged lines (garbage, a schema error, a torn tail), reporting each with its line', async () => {
    const cs = [1, 2, 3, 4].map((i) => makeCapture(i * 10))
    const lines = layersText(cs).split('\n')
    const schemaBad = JSON.stringify({ ...cs[2], reason: 42 })
    const text =
      [lines[0], 'garbage', lines[1], schemaBad, '', lines[3]].join('\n') + '\n{"iteration": 50, "lay'
    await writeFile(path, text)
    const problems: StoreProblem[] = []
    const s = await readLayers(path, { onProblem: (p) => problems.push(p) })
    expect(iterations(s.captures)).toEqual([10, 20, 40])
    expect(s.skippedLines).toBe(2)
    expect(problems.map((p) => p.line).sort()).toEqual([2, 4])
    expect(problems.find((p) => p.line === 4)!.message).toMatch(/reason/)
    // A torn last line is not a line yet: the next append cuts it (appendLog.ts).
  })

  it('returns the captures after afterIteration only', async () => {
    await writeFile(path, layersText([10, 20, 30, 40].map((i) => makeCapture(i))))
    expect(iterations((await readLayers(path, { afterIteration: 20 })).captures)).toEqual([30, 40])
    expect(iterations((await readLayers(path, { afterIteration: 0 })).captures)).toEqual([10, 20, 30, 40])
    expect((await readLayers(path, { afterIteration: 40 })).captures).toEqual([])
  })

  it('thins a long run evenly to maxCaptures, keeping the first and the last', async () => {
    await writeFile(path, layersText(Array.from({ length: 101 }, (_, i) => makeCapture((i + 1) * 5))))
    const s = await readLayers(path, { maxCaptures: 11 })
    expect(s.totalCaptures).toBe(101)
    expect(iterations(s.captures)).toEqual([5, 55, 105, 155, 205, 255, 305, 355, 405, 455, 505])
    const after = await readLayers(path, { maxCaptures: 3, afterIteration: 400 })
    expect(after.totalCaptures).toBe(21)
    expect(iterations(after.captures)).toEqual([405, 455, 505])
  })

  it('a capture logged again at or before earlier ones supersedes them (two trainers, or an old attempt)', async () => {
    const text = layersText([10, 20, 30, 20, 30, 40].map((i) => makeCapture(i, { seed: i })))
    await writeFile(path, text)
    const s = await readLayers(path)
    expect(iterations(s.captures)).toEqual([10, 20, 30, 40])
    expect(s.skippedLines).toBe(0)
  })

  it('reads the same however the file is split into reads', async () => {
    const cs = [10, 20, 30].map((i) => makeCapture(i, { layers: 3 }))
    await writeFile(path, `${layersText(cs)}oops\n`)
    const whole = await readLayers(path, { onProblem: () => {} })
    for (const chunkBytes of [7, 100, 4096]) {
      expect(await readLayers(path, { chunkBytes, onProblem: () => {} })).toEqual(whole)
    }
    expect(whole.captures).toEqual(cs)
    expect(whole.skippedLines).toBe(1)
  })

  it('skips an overlong line as damaged', async () => {
    const cs = [makeCapture(10), makeCapture(20, { layers: 6 }), makeCapture(30)]
    await writeFile(path, layersText(cs))
    const limit = JSON.stringify(cs[0]).length + 10
    const s = await readLayers(path, { maxLineBytes: limit, onProblem: () => {} })
    expect(iterations(s.captures)).toEqual([10, 30])
    expect(s.skippedLines).toBe(1)
  })
})

describe('thin', () => {
  it('keeps everything under the cap, and first and last above it', () => {
    expect(thin([1, 2, 3], 5)).toEqual([1, 2, 3])
    expect(thin([1, 2, 3, 4, 5], 2)).toEqual([1, 5])
    expect(thin([1, 2, 3, 4, 5], 1)).toEqual([5])
    expect(thin([1, 2, 3, 4, 5, 6, 7], 4)).toEqual([1, 3, 5, 7])
  })
})

describe('LayersLog', () => {
  it('appends captures as JSON lines, after a torn tail left by a crash', async () => {
    await writeFile(path, `${layersText([makeCapture(10)])}{"iteration": 20, "la`)
    const log = new LayersLog(path, { flushIntervalMs: 5 })
    log.append(makeCapture(20))
    log.append(makeCapture(30))
    await log.close()
    const s = await readLayers(path)
    expect(iterations(s.captures)).toEqual([10, 20, 30])
    expect(s.skippedLines).toBe(0)
    expect(() => log.append(makeCapture(40))).toThrow(/layers log is closed/)
  })

  it('writes within flushIntervalMs without being asked', async () => {
    const log = new LayersLog(path, { flushIntervalMs: 10 })
    log.append(makeCapture(5))
    await new Promise((r) => setTimeout(r, 80))
    expect(iterations((await readLayers(path)).captures)).toEqual([5])
    await log.close()
  })

  it('truncateAfter drops the captures past a resume point, those appended before the call included', async () => {
    await writeFile(path, layersText([10, 20, 30].map((i) => makeCapture(i))))
    const log = new LayersLog(path, { flushIntervalMs: 1000 })
    log.append(makeCapture(40))
    const cut = log.truncateAfter(20)
    // The new attempt's captures, appended while the cut waits for its turn, stay.
    log.append(makeCapture(30, { seed: 9 }))
    await cut
    await log.close()
    const s = await readLayers(path)
    expect(iterations(s.captures)).toEqual([10, 20, 30])
    expect(s.captures[2]).toEqual(makeCapture(30, { seed: 9 }))
    const text = await readFile(path, 'utf8')
    expect(text.split('\n').filter(Boolean)).toHaveLength(3)
  })

  it('truncateAfter(0) empties the file (a fresh restart); a missing file stays missing', async () => {
    await writeFile(path, layersText([10, 20].map((i) => makeCapture(i))))
    const log = new LayersLog(path)
    await log.truncateAfter(0)
    await log.close()
    expect(await readFile(path, 'utf8')).toBe('')
    const other = new LayersLog(join(dir, 'none.jsonl'))
    await other.truncateAfter(5)
    await other.close()
    await expect(readFile(join(dir, 'none.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
