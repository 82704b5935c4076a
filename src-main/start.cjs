#!/usr/bin/env node
// `npm start`: build, then open the desktop app, or the browser mode where Electron cannot run. Plain
// Node on purpose: `require('electron')` from Node downloads a missing binary on the spot (Electron 42+
// fetches it lazily, not at install time) and throws when offline, so the binary is looked for the way
// electron's own index.js does, and fetched only when that can work.
//
//   npm start                 desktop app (browser mode without a usable Electron)
//   npm start -- --browser    browser mode; other arguments go to it (e.g. --port 8080)
//
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 never downloads; ELECTRON_MIRROR and electron_config_cache are honoured
// as by electron's installer.
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const { existsSync, readdirSync, readFileSync } = require('node:fs')
const https = require('node:https')
const http = require('node:http')
const { homedir } = require('node:os')
const { dirname, join } = require('node:path')

const ROOT = join(__dirname, '..')
const PROBE_TIMEOUT_MS = 5000

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }))
}

/** The Electron executable if it is installed, else null (never triggers a download). */
function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) {
    return existsSync(process.env.ELECTRON_EXEC_PATH) ? process.env.ELECTRON_EXEC_PATH : null
  }
  let dir
  try {
    dir = packageDir('electron')
  } catch {
    return null
  }
  const pathFile = join(dir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : ''
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) {
    const p = join(override, relative || 'electron')
    return existsSync(p) ? p : null
  }
  if (!relative) return null
  const p = join(dir, 'dist', relative)
  return existsSync(p) ? p : null
}

function electronVersion() {
  return JSON.parse(readFileSync(join(packageDir('electron'), 'package.json'), 'utf8')).version
}

/** A zip @electron/get cached earlier (it keys folders by URL hash): then installing needs no network. */
function cachedZip(version) {
  const root = process.env.electron_config_cache || defaultCacheRoot()
  const name = `electron-v${version}-${process.platform}-${process.arch}.zip`
  try {
    return readdirSync(root).some((d) => existsSync(join(root, d, name)))
  } catch {
    return false
  }
}

function defaultCacheRoot() {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron')
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA || homedir(), 'electron', 'Cache')
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'electron')
}

/** Whether the download host answers at all (any HTTP status), within a few seconds. */
function reachable(url) {
  return new Promise((resolve) => {
    let u
    try {
      u = new URL(url)
    } catch {
      resolve(false)
      return
    }
    const lib = u.protocol === 'http:' ? http : https
    const req = lib.request(u, { method: 'HEAD', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** Whether electron's installer can get the binary here: from its cache, or from a host that answers. */
async function canFetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return false
  if (cachedZip(electronVersion())) return true
  // With a proxy configured for @electron/get, a direct probe proves nothing: let the installer try.
  if (process.env.ELECTRON_GET_USE_PROXY) return true
  return reachable(process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/')
}

/** Runs electron's own installer (download, checksum, unzip); the binary's path once it is there. */
function installElectron() {
  const version = electronVersion()
  console.log(`Electron binary missing: installing Electron ${version} (a one-time download of about 100 MB)`)
  const r = spawnSync(process.execPath, [join(packageDir('electron'), 'install.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  return r.status === 0 ? electronBinary() : null
}

/** `{ binary }` when Electron can run, else `{ reason }` why not. */
async function findOrInstallElectron() {
  const found = electronBinary()
  if (found) return { binary: found }
  if (!(await canFetchElectron())) return { reason: 'Electron binary not available (offline install)' }
  // A download is no use where no window can open.
  if (headlessLinux()) return { reason: 'Electron binary not available, and no display to show it' }
  const installed = installElectron()
  return installed ? { binary: installed } : { reason: 'Electron binary could not be installed' }
}

function headlessLinux() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
}

/** Runs a child with our stdio and exits with its status once it has shut down. */
function run(args, env) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  })
  // Ctrl-C already reaches the child through the terminal's process group; a second SIGINT from here
  // could cut its clean shutdown short. Wait for it instead of dying first.
  process.on('SIGINT', () => {})
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('error', (e) => {
    console.error(e.message)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

function electronVite(args) {
  return [join(packageDir('electron-vite'), 'bin', 'electron-vite.js'), ...args]
}

function startBrowserMode(args) {
  const server = join(ROOT, 'out', 'main', 'server.js')
  // The bundled server, or the same `serve` command through the CLI.
  run(existsSync(server) ? [server, ...args] : [join(ROOT, 'src-main', 'cli', 'bin.cjs'), 'serve', ...args])
}

async function main() {
  const args = process.argv.slice(2)
  const browser = args.includes('--browser')
  const rest = args.filter((a) => a !== '--browser')

  const build = spawnSync(process.execPath, electronVite(['build']), { cwd: ROOT, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)

  if (browser) return startBrowserMode(rest)
  const electron = await findOrInstallElectron()
  const reason =
    electron.reason ?? (headlessLinux() ? 'No display available (DISPLAY and WAYLAND_DISPLAY unset)' : null)
  if (reason) {
    console.log(`${reason}: starting the browser mode instead`)
    return startBrowserMode(rest)
  }
  // electron-vite finds the binary through path.txt only; hand it the one found here (overrides included).
  run(electronVite(['preview', '--skipBuild']), { ELECTRON_EXEC_PATH: electron.binary })
}

// The Electron smoke tests look for the binary the same way (and must not download it either).
module.exports = { electronBinary }

if (require.main === module) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
