/**
 * Where `Workbench.check` runs a config's sanity checks: the training worker module's `sanity` task, on
 * a one-thread pool of its own. The training pool runs one run per thread, so a check queued there would
 * wait behind whole training runs; here it starts at once (a thread shared with training for a second).
 */
import Piscina from 'piscina'
import type { SanityReport } from '../../src-shared/sanity'
import type { SanityTask } from '../../src-worker/sanityTask'
import { defaultWorkerFile } from './pool'

export class CheckPool {
  private piscina: Piscina | null = null
  private destroyed = false

  constructor(private readonly filename: string = defaultWorkerFile()) {}

  run(task: SanityTask): Promise<SanityReport> {
    if (this.destroyed) return Promise.reject(new Error('CheckPool: destroyed'))
    this.piscina ??= new Piscina({
      filename: this.filename,
      minThreads: 0,
      maxThreads: 1,
      // Checks come in bursts (a user trying configs): keep the thread a while, then give it back.
      idleTimeout: 10_000,
    })
    return this.piscina.run(task, { name: 'sanity' }) as Promise<SanityReport>
  }

  async destroy(): Promise<void> {
    this.destroyed = true
    await this.piscina?.destroy()
  }
}
