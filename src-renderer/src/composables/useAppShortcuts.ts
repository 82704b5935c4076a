import { nextTick, onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRouter } from 'vue-router'
import { handleShortcutKey, useShortcut } from '../lib/shortcuts'
import { useAppStore } from '../stores/app'
import { useRunsStore } from '../stores/runs'

/**
 * The app-wide shortcuts (new run, search, compare the selection, help) and the one keydown listener
 * every shortcut goes through. Returns whether the help overlay is open.
 */
export function useAppShortcuts(): { helpOpen: Ref<boolean> } {
  const router = useRouter()
  const runs = useRunsStore()
  const app = useAppStore()
  const { t } = useI18n()
  const helpOpen = ref(false)

  useShortcut({
    id: 'new-run',
    key: 'n',
    label: 'shortcuts.actions.newRun',
    run: () => void router.push('/new'),
  })
  useShortcut({
    id: 'search',
    key: '/',
    label: 'shortcuts.actions.search',
    run: async () => {
      // The runs' filter box: on the experiments page, which opens first if need be.
      if (router.currentRoute.value.name !== 'experiments') await router.push('/experiments')
      await nextTick()
      document.querySelector<HTMLInputElement>('input[type="search"]')?.focus()
    },
  })
  useShortcut({
    id: 'compare',
    key: 'c',
    label: 'shortcuts.actions.compare',
    run: () => {
      if (runs.selected.length < 2) app.notify(t('shortcuts.compareNeedsTwo'))
      else void router.push({ name: 'compare', query: { ids: runs.selected.join(',') } })
    },
  })
  useShortcut({
    id: 'help',
    key: '?',
    label: 'shortcuts.actions.help',
    run: () => (helpOpen.value = !helpOpen.value),
  })

  const onKey = (e: KeyboardEvent): void => void handleShortcutKey(e)
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
  return { helpOpen }
}
