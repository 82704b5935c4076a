import type { FieldError } from '../../src-shared/config'

export type WorkbenchErrorCode =
  | 'invalid-config'
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  /** Something this machine lacks (e.g. Chromium for PDF export); the message says what to install. */
  | 'unavailable'
  /** The data folder cannot be written (disk full, permissions, read-only, removed); the message says what to do. */
  | 'storage'
  /** More than the API hands over in one message (a huge metrics export); the message says what to use. */
  | 'too-large'
  /** A resume finds no usable checkpoint (damaged or gone); a fresh restart is the way on. */
  | 'no-checkpoint'
  /** A method this mode cannot offer (the browser mode has no native folder picker). */
  | 'unsupported'
  /** The run is queued or training in this process: deleting it needs it cancelled first (ask). */
  | 'active'

/** Errors the core reports to a user (CLI, IPC, HTTP): a code to branch on and, for configs, each field. */
export class WorkbenchError extends Error {
  override readonly name = 'WorkbenchError'
  constructor(
    readonly code: WorkbenchErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message)
  }
}
