/**
 * The settings file: read once at start (a missing file is no settings; a damaged one is reported and
 * ignored, so a bad edit by hand never keeps the app from starting) and replaced atomically on change.
 */
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, isAbsolute } from 'node:path'
import { z } from 'zod'
import type { SavedSettings } from '../../../src-shared/settings'
import { writeJsonAtomic } from '../store/atomic'

/** Pool threads (pool.ts accepts 1-256). */
export const MAX_THREADS_LIMIT = 256
export const MAX_PATH_LENGTH = 4096
export const MAX_BUDGET_LENGTH = 64

const savedSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .max(MAX_PATH_LENGTH)
      .refine((p) => isAbsolute(p) && !p.includes('\0'), 'must be an absolute path')
      .optional(),
    maxThreads: z.number().int().min(1).max(MAX_THREADS_LIMIT).optional(),
    memoryBudget: z.string().min(1).max(MAX_BUDGET_LENGTH).optional(),
    firstRunDismissed: z.boolean().optional(),
  })
  .strict()

export type SettingsRead = { settings: SavedSettings; problem: string | null }

export function readSettingsFile(file: string): SettingsRead {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: {}, problem: null }
    return {
      settings: {},
      problem: `${file}: could not be read (${(e as Error).message}); using the defaults`,
    }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { settings: {}, problem: `${file}: not valid JSON; using the defaults` }
  }
  const parsed = savedSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'settings'
    return {
      settings: {},
      problem: `${file}: ${where}: ${issue?.message ?? 'invalid'}; using the defaults`,
    }
  }
  return { settings: stripUndefined(parsed.data), problem: null }
}

export async function writeSettingsFile(file: string, settings: SavedSettings): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeJsonAtomic(file, stripUndefined(settings))
}

function stripUndefined(s: SavedSettings): SavedSettings {
  const out: SavedSettings = {}
  if (s.dataDir !== undefined) out.dataDir = s.dataDir
  if (s.maxThreads !== undefined) out.maxThreads = s.maxThreads
  if (s.memoryBudget !== undefined) out.memoryBudget = s.memoryBudget
  if (s.firstRunDismissed !== undefined) out.firstRunDismissed = s.firstRunDismissed
  return out
}
