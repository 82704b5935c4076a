// The piscina task module. Training runs arrive with the runs issue; until then the worker answers what
// engine it would train on, which the main process records with each run.
import { backendInfo, type BackendInfo } from './engine/backend'

export default function task(): BackendInfo {
  return backendInfo()
}
