/**
 * Training tasks for pool tests, built in memory: a synthetic shared uint8 dataset of any image shape and
 * a validated, seeded config, as Workbench hands them to the pool.
 */
import { parseRunConfig, type RunConfigInput } from '../../../src-shared/config'
import { meanImage, resolveSplits } from '../../../src-worker/data/prepare'
import { sharedBytes, type RawDataset } from '../../../src-worker/data/types'
import type { TrainTask } from '../../../src-worker/train'

/** `train` and `test` images of shape (1, rows, cols) with 10 classes, every byte known. */
export function syntheticDataset(rows: number, cols: number, train: number, test: number): RawDataset {
  const D = rows * cols
  const split = (count: number, salt: number) => {
    const images = sharedBytes(count * D)
    for (let i = 0; i < images.length; i++) images[i] = (i * 31 + salt) % 251
    const labels = sharedBytes(count)
    for (let i = 0; i < count; i++) labels[i] = i % 10
    return { images, labels, count }
  }
  return {
    format: 'idx',
    shape: [1, rows, cols],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: split(train, 0),
    test: split(test, 7),
    files: [],
  }
}

export function trainTask(
  raw: RawDataset,
  input: Omit<RunConfigInput, 'dataset'> & { dataset?: RunConfigInput['dataset'] },
): Omit<TrainTask, 'port'> {
  const parsed = parseRunConfig({ dataset: { name: 'synth' }, seed: 1, ...input })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  const config = parsed.value as TrainTask['config']
  const { numTraining } = resolveSplits(raw, config.dataset)
  const D = raw.shape[0] * raw.shape[1] * raw.shape[2]
  return {
    runId: config.name,
    config,
    raw,
    mean: meanImage(raw.train.images, numTraining, D),
    resume: null,
    progressIntervalMs: 20,
  }
}
