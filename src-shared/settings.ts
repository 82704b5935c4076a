/**
 * The app's settings (issue 17): what a person may change without a flag or an environment variable,
 * kept in a settings file in the platform's config folder and read when the app (or `workbench serve`)
 * starts, so every change takes effect after a restart.
 */

/** What the settings file holds; an absent field means the default. */
export interface SavedSettings {
  /** Absolute path of the data folder (the desktop app only). */
  dataDir?: string
  /** Runs training at once on this machine. */
  maxThreads?: number
  /** `12GB`, `800MB`, `50%` or `0.5` of the machine (src-shared/memoryBudget.ts). */
  memoryBudget?: string
  /** The first-run screen was closed: it is not shown again, whatever the data folder holds. */
  firstRunDismissed?: boolean
}

/** `settings.set`'s argument: the fields to change; null puts one back to its default. */
export interface SettingsPatch {
  dataDir?: string | null
  maxThreads?: number | null
  memoryBudget?: string | null
  firstRunDismissed?: boolean
}

export type SettingName = 'dataDir' | 'maxThreads' | 'memoryBudget'

export interface SettingsInfo {
  /** The settings file (in the platform's config folder). */
  file: string
  saved: SavedSettings
  /** What this process runs with now. */
  current: { dataDir: string; maxThreads: number; memoryBudgetBytes: number }
  /** What an absent setting means on this machine. */
  defaults: { dataDir: string; maxThreads: number; memoryBudgetBytes: number }
  /** The saved memory budget in bytes on this machine (null: none saved). */
  savedMemoryBudgetBytes: number | null
  /**
   * Settings an environment variable or a command-line flag decides in this process, which the saved
   * value does not override (e.g. `dataDir: 'WORKBENCH_DATA_DIR'`).
   */
  overriddenBy: Partial<Record<SettingName, string>>
  /** Settings this mode can change (the browser mode's data folder is its `--data-dir`). */
  editable: Record<SettingName, boolean>
  /** Saved settings that differ from what this process runs with: they apply after a restart. */
  restartNeeded: SettingName[]
  /** The first-run screen is due: no runs, no imported or downloaded datasets, never dismissed. */
  firstRun: boolean
  /** Upper bound of maxThreads. */
  maxThreadsLimit: number
}
