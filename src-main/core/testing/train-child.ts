// A separate process that trains one run, for the crash test: it prints the run id, then trains until it
// is killed (the test sends SIGKILL mid-run).
import { Workbench } from '../workbench'

async function main(): Promise<void> {
  const [dataDir, configJson] = process.argv.slice(2)
  const wb = await Workbench.open({
    dataDir: dataDir!,
    maxThreads: 1,
    progressIntervalMs: 20,
    checkpointIntervalMs: 0,
  })
  const run = await wb.createRun(JSON.parse(configJson!))
  console.log(JSON.stringify({ id: run.id }))
  await wb.whenIdle()
  await wb.close()
}

void main()
