// A separate process for the lock race test: waits until `startAt` (ms since 1970), then tries to claim
// every given run id at once, prints the ids it won as JSON, and stays alive (holding them) until its stdin
// closes: a holder that exits is dead, and its locks are then rightly broken by the others.
import { currentIdentity } from '../identity'
import { RunLocks } from '../runLocks'

async function main(): Promise<void> {
  const [dataDir, idsJson, startAt] = process.argv.slice(2)
  const ids = JSON.parse(idsJson!) as string[]
  const locks = new RunLocks(dataDir!, currentIdentity())
  const wait = Number(startAt) - Date.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  const results = await Promise.all(ids.map(async (id) => ((await locks.claim(id)).ok ? id : null)))
  process.stdout.write(JSON.stringify(results.filter((x) => x !== null)) + '\n')
  process.stdin.resume()
  process.stdin.once('end', () => process.exit(0))
}

void main()
