// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { bindShortcut, boundShortcuts, handleShortcutKey, useShortcut } from './shortcuts'

const unbind: (() => void)[] = []
afterEach(() => {
  unbind.splice(0).forEach((u) => u())
  document.body.innerHTML = ''
})

function press(
  key: string,
  target: EventTarget = document.body,
  init: KeyboardEventInit = {},
): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init })
  Object.defineProperty(e, 'target', { value: target })
  handleShortcutKey(e)
  return e
}

describe('the shortcut registry', () => {
  it('runs the binding of a key, in either case for letters, and prevents the browser’s default', () => {
    const run = vi.fn()
    unbind.push(bindShortcut({ id: 'new-run', key: 'n', label: 'shortcuts.actions.newRun', run }))
    expect(press('n').defaultPrevented).toBe(true)
    press('N')
    expect(run).toHaveBeenCalledTimes(2)
    expect(press('m').defaultPrevented).toBe(false)
  })

  it('leaves keys typed in fields to the field, and keys with Ctrl, Alt or Meta to the browser', () => {
    const run = vi.fn()
    const esc = vi.fn()
    unbind.push(bindShortcut({ id: 'search', key: '/', label: 'shortcuts.actions.search', run }))
    unbind.push(
      bindShortcut({ id: 'esc', key: 'Escape', label: 'x', run: esc, inFields: true, hidden: true }),
    )
    document.body.innerHTML =
      '<input id="t"><textarea id="a"></textarea><input id="c" type="checkbox"><div id="e" contenteditable="true"></div>'
    for (const id of ['t', 'a', 'e']) press('/', document.getElementById(id)!)
    expect(run).not.toHaveBeenCalled()
    // A ticked checkbox takes no typing: the shortcut still works after selecting a run.
    press('/', document.getElementById('c')!)
    expect(run).toHaveBeenCalledTimes(1)
    press('/', document.body, { ctrlKey: true })
    press('/', document.body, { metaKey: true })
    expect(run).toHaveBeenCalledTimes(1)
    press('Escape', document.getElementById('t')!)
    expect(esc).toHaveBeenCalledTimes(1)
  })

  it('lets a view bind Delete with one line, listed in the help only while bound', () => {
    const scope = effectScope()
    const remove = vi.fn()
    expect(boundShortcuts().map((s) => s.id)).not.toContain('delete')
    scope.run(() =>
      useShortcut({ id: 'delete', key: 'Delete', label: 'shortcuts.actions.delete', run: remove }),
    )
    expect(boundShortcuts().map((s) => s.id)).toContain('delete')
    press('Delete')
    expect(remove).toHaveBeenCalledTimes(1)
    // The view goes: so does its binding.
    scope.stop()
    expect(boundShortcuts().map((s) => s.id)).not.toContain('delete')
    press('Delete')
    expect(remove).toHaveBeenCalledTimes(1)
  })

  it('keeps a replacement when the binding it replaced is unbound, and hides hidden ones from the help', () => {
    const first = vi.fn()
    const second = vi.fn()
    const u1 = bindShortcut({ id: 'k', key: 'k', label: 'a', run: first })
    unbind.push(bindShortcut({ id: 'k', key: 'k', label: 'b', run: second }))
    u1()
    press('k')
    expect(second).toHaveBeenCalledTimes(1)
    expect(first).not.toHaveBeenCalled()
    unbind.push(bindShortcut({ id: 'h', key: 'Escape', label: 'c', run: vi.fn(), hidden: true }))
    expect(boundShortcuts().map((s) => s.id)).toEqual(['k'])
  })
})
