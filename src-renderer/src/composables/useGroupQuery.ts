/**
 * The compare view's grouping, kept in the URL's query (lib/groupQuery.ts): read when the page opens
 * and whenever the URL changes (back, forward, a pasted link), written back with `replace` so choosing a
 * grouping does not add a history entry per click.
 */
import { computed, type WritableComputedRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { GroupOptions } from '../../../src-shared/runGroups'
import { groupFromQuery, groupToQuery } from '../lib/groupQuery'

export function useGroupQuery(): WritableComputedRef<GroupOptions | null> {
  const route = useRoute()
  const router = useRouter()
  return computed({
    get: () => groupFromQuery(route.query),
    set: (g) => {
      const query: Record<string, unknown> = { ...route.query, ...groupToQuery(g) }
      for (const k of Object.keys(query)) if (query[k] === undefined) delete query[k]
      void router.replace({ query: query as Record<string, string> })
    },
  })
}
