import { cpus, platform, release } from 'node:os'
import type { EngineInfo } from '../../src-shared/engine-info'
import type { RunEnvironment } from '../../src-shared/runs'
import pkg from '../../package.json'

/** What a run ran on, recorded in run.json so timings and results can be compared honestly later. */
export function runEnvironment(engine: EngineInfo): RunEnvironment {
  return {
    ...engine,
    workbench: pkg.version,
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  }
}
