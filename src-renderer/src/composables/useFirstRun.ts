import { onMounted } from 'vue'
import { useRouter } from 'vue-router'
import { useSettingsStore } from '../stores/settings'

/**
 * Opens the first-run screen once per start when main says it is due (no runs, no datasets of the
 * user's, never dismissed), and only from the landing page: a link to a run or a reload elsewhere stays.
 */
export function useFirstRun(enabled: () => boolean = () => true): void {
  const router = useRouter()
  const settings = useSettingsStore()
  onMounted(async () => {
    // A browser tab without access asks the server nothing.
    if (!enabled()) return
    await router.isReady()
    await settings.load()
    const landing = router.currentRoute.value.name === 'experiments'
    if (settings.info?.firstRun && landing) await router.replace({ name: 'welcome' })
  })
}
