import { describe, expect, it } from 'vitest'
import { createColorScheme } from './useColorScheme'

/** A MediaQueryList whose `matches` the test flips, telling its listeners as a browser does. */
function fakeQuery(matches: boolean) {
  const listeners: ((e: { matches: boolean }) => void)[] = []
  return {
    matches,
    addEventListener: (_: string, l: (e: { matches: boolean }) => void) => listeners.push(l),
    flip(to: boolean) {
      this.matches = to
      for (const l of listeners) l({ matches: to })
    },
  }
}

describe('the colour scheme', () => {
  it('starts from the system setting and follows its changes', () => {
    const q = fakeQuery(true)
    const scheme = createColorScheme(q as unknown as MediaQueryList)
    expect(scheme.value).toBe('dark')
    q.flip(false)
    expect(scheme.value).toBe('light')
    q.flip(true)
    expect(scheme.value).toBe('dark')
  })

  it('is light where the browser cannot tell', () => {
    expect(createColorScheme(null).value).toBe('light')
  })
})
