/**
 * A run's best parameters as one .safetensors file for the user (load in Python with
 * `safetensors.numpy.load_file`): the weights at the best validation accuracy, with the batchnorm
 * running statistics they were scored with, under the model's own names (W1, b1, gamma1,
 * bn1.runningMean, ...).
 */
import type { RunRecord } from '../../../src-shared/runs'
import { WorkbenchError } from '../errors'
import { encodeSafetensors, type Tensors } from '../store/safetensors'
import type { Workbench } from '../workbench'
import { exportFileName } from './files'

export type CheckpointSource = Pick<Workbench, 'getRun' | 'store'>

export interface CheckpointFile {
  fileName: string
  mime: string
  bytes: Uint8Array
  /** Whether the run had finished: otherwise these are the best parameters of the epochs so far. */
  final: boolean
}

export async function exportCheckpoint(wb: CheckpointSource, id: string): Promise<CheckpointFile> {
  const record = await wb.getRun(id)
  // The last epoch checkpoint holds the solver's best parameters so far and the buffers that go with them.
  const [best, last] = await Promise.all([
    wb.store.readCheckpoint(id, 'best'),
    wb.store.readCheckpoint(id, 'last'),
  ])
  const params: Tensors = Object.create(null) as Tensors
  let final = false
  if (best) {
    Object.assign(params, best.tensors)
    final = true
  } else if (last) {
    for (const [name, t] of Object.entries(last.tensors)) {
      if (name.startsWith('best.')) params[name.slice('best.'.length)] = t
    }
  }
  if (Object.keys(params).length === 0) {
    // Parameters are saved with the epoch checkpoints: at an epoch's end, at most every few seconds.
    const ended = record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled'
    throw new WorkbenchError(
      'not-found',
      ended
        ? `run ${id} has no saved parameters (status ${record.status}): it stopped before its first ` +
            'epoch checkpoint'
        : `run ${id} has no saved parameters yet (status ${record.status}): they are saved with its ` +
            'epoch checkpoints, at the end of an epoch and at most every 5 seconds',
    )
  }
  const tensors: Tensors = Object.create(null) as Tensors
  Object.assign(tensors, params)
  for (const [name, t] of Object.entries(last?.tensors ?? {})) {
    if (name.startsWith('bestBuffers.')) tensors[name.slice('bestBuffers.'.length)] = t
  }
  const bytes = encodeSafetensors(tensors, metadata(record, final))
  return {
    fileName: exportFileName([record], 'safetensors'),
    mime: 'application/octet-stream',
    bytes,
    final,
  }
}

function metadata(record: RunRecord, final: boolean): Record<string, string> {
  return {
    format: 'workbench-params',
    runId: record.id,
    name: record.config.name,
    status: record.status,
    final: String(final),
    bestValAcc: record.result ? String(record.result.bestValAcc) : '',
    // The config says how to rebuild the model these tensors belong to.
    config: JSON.stringify(record.config),
  }
}
