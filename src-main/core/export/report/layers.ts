/**
 * A run's layer captures for the report's diagnosis: `<run>/layers.jsonl`, one LayerCapture per line, as
 * the worker appends them. Lines that do not parse (a tail cut short by a crash) are skipped, and a run
 * without the file has no captures: the diagnosis then reads the curves alone.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LayerCapture } from '../../../../src-shared/layerStats'

export const LAYERS_FILE = 'layers.jsonl'

export async function readLayerCaptures(runDir: string): Promise<LayerCapture[]> {
  let text: string
  try {
    text = await readFile(join(runDir, LAYERS_FILE), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  const captures: LayerCapture[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      const c = JSON.parse(line) as LayerCapture
      if (c && Number.isFinite(c.iteration) && Array.isArray(c.layers)) captures.push(c)
    } catch {
      // A damaged line costs that capture only.
    }
  }
  return captures.sort((a, b) => a.iteration - b.iteration)
}
