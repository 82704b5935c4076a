import { onBeforeUnmount, ref, watchEffect, type Ref } from 'vue'

/** The current time, ticking every `ms` only while `active()` holds (a run is training): no idle timers. */
export function useNow(active: () => boolean, ms = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  const stop = (): void => {
    if (timer) clearInterval(timer)
    timer = null
  }
  watchEffect(() => {
    if (active()) {
      if (!timer) timer = setInterval(() => (now.value = Date.now()), ms)
      now.value = Date.now()
    } else {
      stop()
    }
  })
  onBeforeUnmount(stop)
  return now
}
