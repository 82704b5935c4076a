/**
 * A result frame's JSON. `runs.list` answers with every run (20,000 of them make about 50 MB of JSON), and
 * most are the same objects as at the last listing: the run index hands out its entries frozen
 * (core/store/frozen.ts), so each one's JSON is made once and kept with it, and a listing is mostly
 * joined from kept pieces. Anything else is serialized as usual.
 */
import { isDeepFrozen } from '../core/store/frozen'

const kept = new WeakMap<object, string>()

/** JSON.stringify(value), reusing the kept JSON of deep-frozen array items. */
export function toJson(value: unknown): string {
  if (!Array.isArray(value)) return JSON.stringify(value)
  return `[${value.map(itemJson).join(',')}]`
}

/** JSON.stringify({ id, result }) for a result frame. */
export function resultFrameJson(id: number, result: unknown): string {
  if (!Array.isArray(result)) return JSON.stringify({ id, result })
  return `{"id":${JSON.stringify(id)},"result":${toJson(result)}}`
}

function itemJson(item: unknown): string {
  if (!isDeepFrozen(item)) return JSON.stringify(item) ?? 'null'
  const object = item as object
  let text = kept.get(object)
  if (text === undefined) {
    text = JSON.stringify(object)
    kept.set(object, text)
  }
  return text
}
