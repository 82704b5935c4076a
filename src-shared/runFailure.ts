/**
 * Whether a run's error means it ran out of memory, and the RunError that says so. One classifier for
 * the worker (an allocation that throws inside the task), the pool (a worker thread killed for its heap)
 * and the core (a copy in main that could not be allocated), so that a run that does not fit fails alone,
 * as `failed` with reason 'memory', and the process and the other runs go on.
 */
import { formatBytes } from './byteSize'
import type { RunError } from './runs'

/**
 * V8's messages for allocations it refused: the allocator had no memory (`Array buffer allocation
 * failed`), a typed array or string beyond V8's limits (above 2^35 bytes, or 2^29 characters), or a
 * structured clone that could not allocate its copy (`Data cannot be cloned, out of memory.`).
 */
const ALLOCATION_MESSAGES = [
  /Array buffer allocation failed/i,
  /Invalid typed array length/i,
  /Invalid array buffer length/i,
  /Invalid array length/i,
  /Invalid string length/i,
  /out of memory/i,
]

/** Node's codes: a worker thread stopped at its heap limit; a system call without memory. */
const MEMORY_CODES = ['ERR_WORKER_OUT_OF_MEMORY', 'ENOMEM', 'ERR_BUFFER_TOO_LARGE', 'ERR_STRING_TOO_LONG']

export function isMemoryError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && MEMORY_CODES.includes(code)) return true
  const message = (err as { message?: unknown }).message
  return typeof message === 'string' && ALLOCATION_MESSAGES.some((re) => re.test(message))
}

export interface FailureContext {
  /** What the run was doing ("building the model", "training", "sending a checkpoint to main"). */
  during?: string
  /** The run's estimated peak (memoryEstimate.ts), for the message. */
  estimateBytes?: number
  /** The last iteration the run reported. */
  iteration?: number
}

/**
 * The RunError for a memory failure (reason 'memory', a message naming what failed and the estimate),
 * or null for any other error, which the caller handles as before.
 */
export function classifyRunFailure(err: unknown, context: FailureContext = {}): RunError | null {
  if (!isMemoryError(err)) return null
  const raw = err instanceof Error ? err.message : String((err as { message?: unknown }).message)
  const code = (err as { code?: unknown }).code
  const what =
    code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? 'its worker thread reached its JavaScript heap limit and was stopped'
      : `an allocation failed (${raw})`
  const during = context.during ? ` while ${context.during}` : ''
  const estimate =
    context.estimateBytes !== undefined
      ? `; this run needs about ${formatBytes(context.estimateBytes)} by estimate`
      : ''
  return {
    reason: 'memory',
    message: `out of memory${during}: ${what}${estimate}. Use a smaller model or batch, or fewer runs at once.`,
    ...(context.iteration !== undefined ? { iteration: context.iteration } : {}),
  }
}
