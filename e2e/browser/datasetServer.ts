/**
 * For the datasets page's e2e: a browser-mode server of the built CLI whose downloads come from a local
 * mirror (WORKBENCH_DOWNLOAD_MIRROR) and which offers extra test sources (WORKBENCH_DATASET_SOURCES),
 * as README's "Datasets" section documents them.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

const ROOT = resolve(__dirname, '..', '..')

export interface DatasetServe {
  url: string
  stderr(): string
  stop(): Promise<void>
}

export function serveWithMirror(
  dataDir: string,
  port: number,
  env: { mirror: string; sources: string },
): Promise<DatasetServe> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    WORKBENCH_DOWNLOAD_MIRROR: env.mirror,
    WORKBENCH_DATASET_SOURCES: env.sources,
  }
  delete childEnv['WORKBENCH_TOKEN']
  const child = spawn(
    process.execPath,
    ['out/main/cli.js', 'serve', '--data-dir', dataDir, '--port', String(port), '--threads', '1', '--json'],
    { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed nothing in 20 s\n${err}`)), 20_000)
    const early = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}\n${err}`))
    }
    child.once('exit', early)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      let printed: { url: string }
      try {
        printed = JSON.parse(out) as typeof printed
      } catch {
        return
      }
      clearTimeout(timer)
      child.off('exit', early)
      resolvePromise({
        url: printed.url,
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}
