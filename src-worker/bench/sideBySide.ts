/**
 * The side-by-side harness of the step benchmarks (step.bench.ts, conv.bench.ts): each engine runs in its
 * own process (OpenBLAS fixes its core when it loads, so a second core needs a second process), prints a
 * JSON header line, then answers `run K` with K step times; rounds alternate between engines so that
 * load from elsewhere on a shared machine hits them alike.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { backendInfo } from '../engine'

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** The header line of one of our engines: which backend and BLAS core it runs on. */
/** min-max of per-round ratios, as the tables print their spread. */
export function spread(xs: number[]): string {
  return `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`
}

export function engineLabel(): string {
  const info = backendInfo()
  return info.backend === 'native'
    ? `${info.library}, core ${info.core} (${info.coreSource}), ${info.blasThreads} BLAS thread(s)`
    : 'TypeScript kernels'
}

export interface Child {
  name: string
  label: string
  steps: number
  times: number[]
  /** Process CPU ms per step, where the engine reports it: steady on a loaded machine, unlike wall time. */
  cpu: number[]
  allocated: number
  ask(cmd: string): Promise<Record<string, unknown>>
  close(): void
}

/** name, steps per round, command, args, environment */
export type ChildSpec = [string, number, string, string[], NodeJS.ProcessEnv]

/**
 * Starts one engine; a string says why it is unavailable. `labelOf` describes a reference engine from its
 * header when the header carries no `label` of its own (ours do).
 */
export async function startChild(
  [name, steps, command, args, env]: ChildSpec,
  labelOf: (header: Record<string, unknown>) => string,
): Promise<Child | string> {
  const proc = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = createInterface({ input: proc.stdout })
  const queue: ((l: string) => void)[] = []
  lines.on('line', (l) => queue.shift()?.(l))
  let stderr = ''
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const first = await new Promise<string | null>((resolve) => {
    queue.push(resolve)
    proc.once('exit', () => resolve(null))
    proc.once('error', () => resolve(null))
  })
  if (first === null) return `${name} unavailable: ${stderr.trim().split('\n').pop() ?? 'did not start'}`
  const header = JSON.parse(first) as Record<string, unknown>
  const label = typeof header['label'] === 'string' ? header['label'] : labelOf(header)
  return {
    name,
    label,
    steps,
    times: [],
    cpu: [],
    allocated: 0,
    ask: (cmd) =>
      new Promise((resolve) => {
        queue.push((l) => resolve(JSON.parse(l) as Record<string, unknown>))
        proc.stdin.write(`${cmd}\n`)
      }),
    close: () => proc.stdin.end('quit\n'),
  }
}

/** Starts every engine that can start (printing its label, or why not), padding names to `pad`. */
export async function startAll(
  specs: ChildSpec[],
  labelOf: (header: Record<string, unknown>) => string,
  pad: number,
): Promise<Child[]> {
  const children: Child[] = []
  for (const spec of specs) {
    const c = await startChild(spec, labelOf)
    if (typeof c === 'string') console.log(c)
    else {
      console.log(`${c.name.padEnd(pad)} ${c.label}`)
      children.push(c)
    }
  }
  return children
}

/** `rounds` rounds of `run <steps>` on each engine in turn, collecting step times and scratch bytes. */
export async function runRounds(children: Child[], rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const c of children) {
      const res = await c.ask(`run ${c.steps}`)
      c.times.push(...(res['ms'] as number[]))
      c.cpu.push(...((res['cpu'] as number[] | undefined) ?? []))
      c.allocated += (res['allocated'] as number | undefined) ?? 0
    }
  }
}
