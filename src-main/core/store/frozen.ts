/**
 * Values shared by every listing (the run index's entries) are frozen all the way down, so a caller that
 * changed one would throw instead of changing it for everyone; and, being unchangeable, their JSON can
 * be kept (api/frameJson.ts). Only the root of each is remembered: marking every nested object would
 * cost a WeakSet entry per confusion-matrix row.
 */
const roots = new WeakSet<object>()

/**
 * Freezes `value` and everything it holds, and marks it. Objects found frozen already are taken to be
 * frozen all the way down: they come from an earlier deepFreeze (a record spread into a new one).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  freezeAll(value)
  roots.add(value)
  return value
}

/** Whether `value` came out of deepFreeze. */
export function isDeepFrozen(value: unknown): boolean {
  return typeof value === 'object' && value !== null && roots.has(value)
}

function freezeAll(value: object): void {
  if (Object.isFrozen(value)) return
  Object.freeze(value)
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) freezeAll(v)
}
