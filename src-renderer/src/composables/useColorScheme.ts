import { readonly, ref, type Ref } from 'vue'

export type ColorScheme = 'light' | 'dark'

/**
 * The system's light or dark setting, followed live (a MediaQueryList change event), so a page that is
 * open when the system switches at dusk switches with it. `query` is injectable for tests.
 */
export function createColorScheme(
  query: Pick<MediaQueryList, 'matches' | 'addEventListener'> | null,
): Readonly<Ref<ColorScheme>> {
  const scheme = ref<ColorScheme>(query?.matches ? 'dark' : 'light')
  query?.addEventListener('change', (e) => (scheme.value = e.matches ? 'dark' : 'light'))
  return readonly(scheme)
}

let shared: Readonly<Ref<ColorScheme>> | null = null

/** The app's one follower of `prefers-color-scheme`: charts read it to pick their theme. */
export function useColorScheme(): Readonly<Ref<ColorScheme>> {
  shared ??= createColorScheme(
    typeof window !== 'undefined' && typeof window.matchMedia === 'function'
      ? window.matchMedia('(prefers-color-scheme: dark)')
      : null,
  )
  return shared
}
