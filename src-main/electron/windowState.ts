/**
 * The main window's size, position and maximized state across launches, kept in
 * `<userData>/window-state.json`. The file is read as untrusted: a hand edit, a crash mid-write on an old
 * version, or a monitor unplugged since must never leave the window invisible or absurdly sized. No
 * Electron import: the displays' work areas come in as plain rectangles.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeJsonAtomic } from '../core/store/atomic'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** What is saved: the normal (unmaximized) bounds, so un-maximizing restores them. */
export interface SavedWindowState {
  bounds: Rect
  maximized: boolean
}

/** What the window opens with; no x/y means "let the OS centre it". */
export interface InitialWindowState {
  width: number
  height: number
  x?: number
  y?: number
  maximized: boolean
}

export const DEFAULT_SIZE = { width: 1280, height: 800 }
export const MIN_SIZE = { width: 800, height: 560 }
const MAX_DIMENSION = 16_384
/** How much of the title bar must be on a screen for the saved position to count: enough to drag it. */
const GRIP = { width: 120, height: 24 }

export function initialWindowState(saved: unknown, workAreas: readonly Rect[]): InitialWindowState {
  const fallback: InitialWindowState = { ...fitSize(DEFAULT_SIZE, workAreas[0]), maximized: false }
  if (typeof saved !== 'object' || saved === null) return fallback
  const s = saved as Record<string, unknown>
  const maximized = s.maximized === true
  const b = typeof s.bounds === 'object' && s.bounds !== null ? (s.bounds as Record<string, unknown>) : {}
  const width = dimension(b.width, MIN_SIZE.width)
  const height = dimension(b.height, MIN_SIZE.height)
  if (width === null || height === null) return { ...fallback, maximized }
  const x = coordinate(b.x)
  const y = coordinate(b.y)
  const area =
    x !== null && y !== null ? workAreas.find((a) => titleBarVisible({ x, y, width }, a)) : undefined
  if (area === undefined || x === null || y === null) {
    return { ...fitSize({ width, height }, workAreas[0]), maximized }
  }
  return { ...fitSize({ width, height }, area), x, y, maximized }
}

/** What to save for a window, or null when its bounds make no sense (e.g. minimized to 0x0 on some WMs). */
export function stateToSave(bounds: Rect, maximized: boolean): SavedWindowState | null {
  const ok = [bounds.x, bounds.y, bounds.width, bounds.height].every(Number.isFinite)
  if (!ok || bounds.width <= 0 || bounds.height <= 0) return null
  const r = (v: number) => Math.round(v)
  return {
    bounds: { x: r(bounds.x), y: r(bounds.y), width: r(bounds.width), height: r(bounds.height) },
    maximized,
  }
}

/** The saved state as parsed JSON, or null when there is none or it is unreadable. */
export async function readWindowState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown
  } catch {
    return null
  }
}

export async function writeWindowState(file: string, state: SavedWindowState): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeJsonAtomic(file, state)
}

function dimension(v: unknown, min: number): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_DIMENSION) return null
  return Math.round(v)
}

function coordinate(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 100_000) return null
  return Math.round(v)
}

function titleBarVisible(w: { x: number; y: number; width: number }, a: Rect): boolean {
  const visibleWidth = Math.min(w.x + w.width, a.x + a.width) - Math.max(w.x, a.x)
  // The title bar's top edge must be on the screen, not above it, where no pointer can grab it.
  const topInside = w.y >= a.y && w.y <= a.y + a.height - GRIP.height
  return topInside && visibleWidth >= GRIP.width
}

/** A size no larger than the work area (a window saved on a bigger monitor still fits this one). */
function fitSize(
  size: { width: number; height: number },
  area: Rect | undefined,
): { width: number; height: number } {
  if (!area) return { ...size }
  return { width: Math.min(size.width, area.width), height: Math.min(size.height, area.height) }
}
