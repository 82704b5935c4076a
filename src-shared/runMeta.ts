/**
 * What a person edits about a run after queuing it: its name, notes, tags and whether it is archived.
 *
 * Stored apart from run.json, in `runs/<id>/meta.json`, which only edits write and every read lays over
 * the record (src-main/core/store/runStore.ts). The process training a run rewrites run.json every two
 * seconds from its own copy; with the edits in a file of their own, an edit never races those writes and
 * is never undone by the next one, whichever process trains the run.
 */
import { z } from 'zod'
import { RunConfigSchema, type FieldError } from './config'
import type { RunRecord } from './runs'

export const RUN_META_VERSION = 1
export const META_FILE = 'meta.json'
/** As the config allows (config.ts): a run has at most this many tags. */
export const MAX_TAGS = 64

const shape = RunConfigSchema.shape
const tag = shape.tags.unwrap().element

/** meta.json: the edited fields as they now are (all of them, so a read needs nothing else). */
export const RunMetaSchema = z.looseObject({
  version: z.literal(RUN_META_VERSION),
  name: shape.name,
  tags: z.array(tag).max(MAX_TAGS),
  notes: shape.notes.unwrap(),
  archived: z.boolean(),
  updatedAt: z.string(),
})
export interface RunMeta {
  version: typeof RUN_META_VERSION
  name: string
  tags: string[]
  notes: string
  archived: boolean
  updatedAt: string
}
/** The editable fields alone. */
export type RunMetaFields = Pick<RunMeta, 'name' | 'tags' | 'notes' | 'archived'>

// What the schema gives is a RunMeta (checked by the compiler).
type Assert<T extends true> = T
export type SchemaGivesMeta = Assert<z.output<typeof RunMetaSchema> extends RunMeta ? true : false>

/**
 * One edit, as the API, the CLI and the UI send it. Tags are added and removed rather than replaced, so
 * two people tagging the same runs at once (a bulk tag in one window, a CLI `tag` in a terminal) each
 * keep what they did.
 */
export const RunEditSchema = z
  .strictObject({
    name: shape.name.optional(),
    notes: shape.notes.unwrap().optional(),
    addTags: z.array(tag).max(MAX_TAGS).optional(),
    removeTags: z.array(z.string().max(200)).max(MAX_TAGS).optional(),
    archived: z.boolean().optional(),
  })
  .refine(
    (e) => Object.values(e).some((v) => v !== undefined),
    'nothing to change: give name, notes, addTags, removeTags or archived',
  )
export type RunEdit = z.output<typeof RunEditSchema>
export type RunEditInput = z.input<typeof RunEditSchema>

export type EditCheck = { ok: true; value: RunEdit } | { ok: false; errors: FieldError[] }

/** Validates an edit; errors name each field by its path under `edit` (`edit.addTags.0`). */
export function parseRunEdit(value: unknown): EditCheck {
  const r = RunEditSchema.safeParse(value)
  if (r.success) return { ok: true, value: r.data }
  return {
    ok: false,
    errors: r.error.issues.flatMap((i) => {
      const at = ['edit', ...i.path.map(String)].join('.')
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) => ({
          path: `${at}.${k}`,
          message: 'unknown field (known: name, notes, addTags, removeTags, archived)',
        }))
      }
      return [{ path: at, message: i.message }]
    }),
  }
}

/** The editable fields of a record. */
export function metaOf(record: RunRecord): RunMetaFields {
  return {
    name: record.config.name,
    tags: [...record.config.tags],
    notes: record.config.notes,
    archived: record.archived ?? false,
  }
}

/**
 * The fields after an edit: removals first, then additions (so `-a +a` keeps `a`), each tag once, in the
 * order they were first added. Throws a field error when the run would end up with too many tags.
 */
export function applyEdit(record: RunRecord, edit: RunEdit, at = new Date().toISOString()): RunMeta {
  const current = metaOf(record)
  const removed = new Set(edit.removeTags ?? [])
  const tags = current.tags.filter((t) => !removed.has(t))
  for (const t of edit.addTags ?? []) if (!tags.includes(t)) tags.push(t)
  if (tags.length > MAX_TAGS) {
    throw new RangeError(
      `edit.addTags: a run has at most ${MAX_TAGS} tags; this one would have ${tags.length}`,
    )
  }
  return {
    version: RUN_META_VERSION,
    name: edit.name ?? current.name,
    tags,
    notes: edit.notes ?? current.notes,
    archived: edit.archived ?? current.archived,
    updatedAt: at,
  }
}

/** The record as every view shows it: meta.json laid over run.json. */
export function overlayMeta(record: RunRecord, meta: RunMeta | null): RunRecord {
  if (meta === null) return record
  return {
    ...record,
    config: { ...record.config, name: meta.name, tags: [...meta.tags], notes: meta.notes },
    archived: meta.archived,
  }
}

/**
 * `tag` arguments as the CLI takes them: `+a` adds, `-b` removes, a bare word adds. Returns the edit, or
 * the first argument that is not a tag.
 */
export function tagEditFromArgs(args: readonly string[]): { addTags: string[]; removeTags: string[] } {
  const addTags: string[] = []
  const removeTags: string[] = []
  for (const a of args) {
    const remove = a.startsWith('-')
    const name = (a.startsWith('+') || remove ? a.slice(1) : a).trim()
    if (name === '') throw new RangeError(`tags: ${JSON.stringify(a)} names no tag (write +name or -name)`)
    ;(remove ? removeTags : addTags).push(name)
  }
  return { addTags, removeTags }
}
