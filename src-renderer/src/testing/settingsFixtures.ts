/** settings.get answers for tests: an untouched desktop app unless told otherwise. */
import type { SettingsInfo } from '../../../src-shared/settings'

export function settingsInfo(over: Partial<SettingsInfo> = {}): SettingsInfo {
  return {
    file: '/home/me/.config/workbench/settings.json',
    saved: {},
    current: { dataDir: '/home/me/.local/share/workbench', maxThreads: 4, memoryBudgetBytes: 8 * 2 ** 30 },
    defaults: { dataDir: '/home/me/.local/share/workbench', maxThreads: 4, memoryBudgetBytes: 8 * 2 ** 30 },
    savedMemoryBudgetBytes: null,
    overriddenBy: {},
    editable: { dataDir: true, maxThreads: true, memoryBudget: true },
    restartNeeded: [],
    firstRun: true,
    maxThreadsLimit: 256,
    ...over,
  }
}
