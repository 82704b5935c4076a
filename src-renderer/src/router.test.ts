// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import type { RouteLocationNormalized } from 'vue-router'
import { createAppRouter, scrollBehavior } from './router'

const at = (path: string, query: Record<string, string> = {}) =>
  ({
    path,
    query,
    fullPath: path,
    hash: '',
    params: {},
    matched: [],
    meta: {},
  }) as unknown as RouteLocationNormalized

describe('scroll on navigation', () => {
  it('opens a new page at its top, not at the scroll the previous page had', () => {
    expect(scrollBehavior(at('/runs/r1'), at('/experiments'), null)).toEqual({ top: 0, left: 0 })
    expect(scrollBehavior(at('/new'), at('/runs/r1'), null)).toEqual({ top: 0, left: 0 })
  })

  it('returns to where the page was on back and forward, and keeps the scroll when only the query changes', () => {
    expect(scrollBehavior(at('/experiments'), at('/runs/r1'), { left: 0, top: 1152 })).toEqual({
      left: 0,
      top: 1152,
    })
    expect(scrollBehavior(at('/experiments', { q: 'lr' }), at('/experiments'), null)).toBe(false)
  })

  it('is the app router’s', () => {
    expect(createAppRouter().options.scrollBehavior).toBe(scrollBehavior)
  })
})
