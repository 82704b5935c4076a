// A separate process for the ownership tests. Prints one JSON line per step on stdout.
//   queue <dataDir> <configs.json>     queues every config (one training thread), prints their ids, then
//                                      trains until killed
//   adopt <dataDir> <startAtMs>        waits until startAt, opens the folder (adopting orphans), trains
//                                      until idle, prints the ids of the runs it trained, closes
//   run <dataDir> <config.json>        queues one run, prints its id, trains it to the end (or until killed)
import { Workbench } from '../workbench'

async function main(): Promise<void> {
  const [mode, dataDir, arg] = process.argv.slice(2) as [string, string, string]
  const say = (v: unknown): void => void process.stdout.write(JSON.stringify(v) + '\n')
  if (mode === 'adopt') {
    const wait = Number(arg) - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  const wb = await Workbench.open({
    dataDir,
    maxThreads: 1,
    progressIntervalMs: 20,
    checkpointIntervalMs: 0,
    pollIntervalMs: 100,
  })
  const trained = new Set<string>()
  wb.subscribe((e) => {
    if (e.type === 'run' && e.run.status === 'running' && wb.queueState().running.includes(e.run.id)) {
      trained.add(e.run.id)
    }
  })
  if (mode === 'queue') {
    const configs = JSON.parse(arg) as unknown[]
    const ids: string[] = []
    for (const c of configs) ids.push((await wb.createRun(c)).id)
    say({ ids })
  } else if (mode === 'run') {
    say({ id: (await wb.createRun(JSON.parse(arg))).id })
  }
  await wb.whenIdle()
  say({ trained: [...trained] })
  await wb.close()
}

void main()
