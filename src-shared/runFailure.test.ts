import { describe, expect, it } from 'vitest'
import { classifyRunFailure, isMemoryError } from './runFailure'

/** What V8 and Node throw, as they throw it (the first is made for real: V8 refuses it without allocating). */
function typedArrayTooLong(): unknown {
  try {
    new Float32Array(2 ** 34)
  } catch (e) {
    return e
  }
  throw new Error('V8 accepted a 64 GB Float32Array')
}

const workerOom = Object.assign(
  new Error('Worker terminated due to reaching memory limit: JS heap out of memory'),
  {
    code: 'ERR_WORKER_OUT_OF_MEMORY',
  },
)

describe('classifyRunFailure', () => {
  it.each<[string, unknown]>([
    ['a typed array beyond V8 limit', typedArrayTooLong()],
    ['an allocation the allocator refused', new RangeError('Array buffer allocation failed')],
    ['a string beyond V8 limit', new RangeError('Invalid string length')],
    ['a structured clone without memory', new Error('Data cannot be cloned, out of memory.')],
    ['a worker stopped at its heap limit', workerOom],
    ['a system call without memory', Object.assign(new Error('spawn ENOMEM'), { code: 'ENOMEM' })],
  ])('%s is a memory failure', (_, err) => {
    expect(isMemoryError(err)).toBe(true)
    expect(classifyRunFailure(err)?.reason).toBe('memory')
  })

  it.each<[string, unknown]>([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'name')")],
    ['a bad split', new RangeError('prepareData: numTest (9000) exceeds the 1000 test images')],
    ['a string', 'out of memory'],
    ['nothing', undefined],
  ])('%s is not', (_, err) => {
    expect(classifyRunFailure(err)).toBeNull()
  })

  it('names what failed, when, the estimate and the iteration', () => {
    const error = classifyRunFailure(typedArrayTooLong(), {
      during: 'building the model',
      estimateBytes: 48 * 2 ** 30,
      iteration: 0,
    })
    expect(error).toEqual({
      reason: 'memory',
      message:
        'out of memory while building the model: an allocation failed (Invalid typed array length: ' +
        '17179869184); this run needs about 48 GB by estimate. Use a smaller model or batch, or fewer ' +
        'runs at once.',
      iteration: 0,
    })
    expect(classifyRunFailure(workerOom)?.message).toBe(
      'out of memory: its worker thread reached its JavaScript heap limit and was stopped. Use a smaller ' +
        'model or batch, or fewer runs at once.',
    )
  })
})
