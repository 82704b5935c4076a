/**
 * The keyboard shortcuts: one registry that the app's single keydown listener consults, and that the help
 * overlay (`?`) lists, so the help shows exactly what is bound right now. A view binds its own with one
 * line, for as long as it is mounted:
 *
 *   useShortcut({ id: 'delete', key: 'Delete', label: 'shortcuts.actions.delete', run: removeSelected })
 *
 * Keys typed into a text field, a select or an editable element are the field's (unless a shortcut says
 * `inFields`, as Escape does), and keys with Ctrl, Alt or Meta are the browser's.
 */
import { onScopeDispose, shallowReactive } from 'vue'

export interface Shortcut {
  /** One binding per id: a later one replaces it until it is unbound. */
  id: string
  /** The KeyboardEvent.key that triggers it: 'n', '/', '?', 'Delete'. Letters match either case. */
  key: string
  /** i18n key of what it does, shown in the help. */
  label: string
  run: (e: KeyboardEvent) => void
  /** Also while the focus is in a text field. */
  inFields?: boolean
  /** Left out of the help (Escape closing the help itself). */
  hidden?: boolean
}

const bound = shallowReactive(new Map<string, Shortcut>())

/** Binds `s`; the returned function unbinds it (and only it: a replacement stays). */
export function bindShortcut(s: Shortcut): () => void {
  bound.set(s.id, s)
  return () => {
    if (bound.get(s.id) === s) bound.delete(s.id)
  }
}

/** Bound for the life of the calling component (or effect scope). */
export function useShortcut(s: Shortcut): void {
  onScopeDispose(bindShortcut(s))
}

/** What the help lists: every visible binding, in the order they were bound. */
export function boundShortcuts(): Shortcut[] {
  return [...bound.values()].filter((s) => !s.hidden)
}

/** Whether a key event's target takes typing (so its keys are not shortcuts). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false
  const el = target as HTMLElement
  if (el.isContentEditable) return true
  const field = el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')
  if (!field) return false
  // Checkboxes and buttons take no text: a shortcut pressed after ticking a run still works.
  return (
    !(field instanceof HTMLInputElement) ||
    !['checkbox', 'radio', 'button', 'submit', 'range'].includes(field.type)
  )
}

const norm = (k: string): string => (k.length === 1 ? k.toLowerCase() : k)

/** Runs the shortcut `e` stands for, if any; true when one ran (the event is then prevented). */
export function handleShortcutKey(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return false
  const typing = isTyping(e.target)
  for (const s of [...bound.values()].reverse()) {
    if (norm(s.key) !== norm(e.key) || (typing && !s.inFields)) continue
    e.preventDefault()
    s.run(e)
    return true
  }
  return false
}
