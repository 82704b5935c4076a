/**
 * layers.jsonl: one LayerCapture per line (src-shared/layerStats.ts), append-only like metrics.jsonl
 * (appendLog.ts), written within `flushIntervalMs`. A resume from a checkpoint cuts the file back to the
 * checkpoint's iteration, so the captures of the attempt it abandons never mix with the new ones.
 * Reading is layersRead.ts.
 */
import { truncate } from 'node:fs/promises'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { AppendLog, type AppendLogOptions } from './appendLog'
import { layersCutOffset } from './layersRead'

export class LayersLog extends AppendLog<LayerCapture> {
  constructor(path: string, options: AppendLogOptions = {}) {
    super(path, { ...options, what: 'layers', urgent: () => false })
  }

  /**
   * Drops every capture past `iteration` (what was appended before this call included); captures
   * appended after the call are kept. A missing file stays missing.
   */
  truncateAfter(iteration: number): Promise<void> {
    return this.rewrite(async (path) => {
      const keep = await layersCutOffset(path, iteration)
      if (keep !== null) await truncate(path, keep)
    })
  }
}
