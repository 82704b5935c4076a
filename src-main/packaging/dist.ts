/**
 * `npm run dist`: an installer for this machine's platform in dist/. Builds the app (electron-vite), the
 * icons (src-main/packaging/icons.ts) and, on Windows, fetches OpenBLAS's DLL (src-main/packaging/openblas.ts), then runs
 * electron-builder with electron-builder.config.cjs. electron-builder downloads Electron and rebuilds
 * better-sqlite3 (and the BLAS addon) for Electron, in place in node_modules and build/; afterwards
 * `npm rebuild` puts back the builds for Node that the CLI and the tests use.
 *
 *   npm run dist [-- extra electron-builder arguments, e.g. --dir]
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(__dirname, '..', '..')
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** electron-builder's flag for the host platform. */
export function hostFlag(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return '--win'
  if (platform === 'darwin') return '--mac'
  if (platform === 'linux') return '--linux'
  throw new Error(`dist: no installer target for ${platform} (Windows, macOS and Linux are supported)`)
}

function run(cmd: string, args: string[]): void {
  console.log(`dist: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) throw new Error(`dist: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`)
}

function main(extra: string[]): void {
  run(npx, ['electron-vite', 'build'])
  run(npx, ['tsx', 'src-main/packaging/icons.ts'])
  if (process.platform === 'win32') run(npx, ['tsx', 'src-main/packaging/openblas.ts'])
  try {
    run(npx, ['electron-builder', '--config', 'electron-builder.config.cjs', hostFlag(), ...extra])
  } finally {
    run(npm, ['rebuild'])
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2))
  } catch (e) {
    console.error((e as Error).message)
    process.exit(1)
  }
}
