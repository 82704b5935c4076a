/**
 * The compare view's grouping in its URL, so a grouped comparison survives a reload and can be shared:
 * `?ids=a,b,c&group=solver.optimConfig.learningRate,model.hiddenDim&center=median&band=ci95&members=1`,
 * or `group=except-seed`. Defaults (mean, ±1 std, no members) are left out of the URL.
 */
import {
  DEFAULT_GROUP_STYLE,
  GroupOptionsError,
  parseGroupOptions,
  type GroupOptions,
} from '../../../src-shared/runGroups'

export const EXCEPT_SEED = 'except-seed'
export const GROUP_QUERY_KEYS = ['group', 'center', 'band', 'members'] as const

type Query = Record<string, unknown>

function first(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : undefined
}

/** The grouping a URL asks for; null when it asks for none, or for one that makes no sense (a typo). */
export function groupFromQuery(query: Query): GroupOptions | null {
  const group = first(query['group'])
  if (!group) return null
  const by =
    group === EXCEPT_SEED
      ? { kind: 'except-seed' }
      : { kind: 'fields', fields: group.split(',').filter(Boolean) }
  const pick = (key: string, fallback: unknown) => first(query[key]) ?? fallback
  try {
    return parseGroupOptions({ by, ...style(pick) })
  } catch (e) {
    if (!(e instanceof GroupOptionsError)) throw e
    // A bad style keeps the grouping with the default style; a bad grouping is no grouping.
    if (e.field.startsWith('by')) return null
    return parseGroupOptions({ by })
  }
}

function style(pick: (key: string, fallback: unknown) => unknown): Record<string, unknown> {
  const members = pick('members', '0')
  return {
    center: pick('center', DEFAULT_GROUP_STYLE.center),
    spread: pick('band', DEFAULT_GROUP_STYLE.spread),
    members: members === '1' ? true : members === '0' ? false : members,
  }
}

/** The query entries of `g` (undefined removes a key), to merge into the current query. */
export function groupToQuery(
  g: GroupOptions | null,
): Record<(typeof GROUP_QUERY_KEYS)[number], string | undefined> {
  if (!g) return { group: undefined, center: undefined, band: undefined, members: undefined }
  return {
    group: g.by.kind === 'except-seed' ? EXCEPT_SEED : g.by.fields.join(','),
    center: g.center === DEFAULT_GROUP_STYLE.center ? undefined : g.center,
    band: g.spread === DEFAULT_GROUP_STYLE.spread ? undefined : g.spread,
    members: g.members ? '1' : undefined,
  }
}
