/**
 * The desktop app's lifecycle: one instance per user, the core opened on the shared data folder, one
 * hardened window speaking the contract over IPC, and a quit that leaves running runs `interrupted`
 * (resumable) rather than killed mid-write.
 */
import { join, resolve } from 'node:path'
import { app, BrowserWindow, crashReporter, dialog, Menu, protocol, session, shell } from 'electron'
import { createHandlers, type Handlers } from '../api/handlers'
import { appCluster } from '../core/cluster/appCluster'
import { forwardEvents, type EventForwarder } from '../api/events'
import { Workbench } from '../core/workbench'
import { createAppLog, describeError } from '../core/logging/appLog'
import {
  installCrashHandlers,
  reportWorkerFailure,
  trainingRuns,
  type CrashedRun,
} from '../core/logging/crashReport'
import { AppSettings } from '../core/settings/appSettings'
import { CONFIG_DIR_ENV, configDir, SETTINGS_FILE } from '../core/settings/configDir'
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './appProtocol'
import type { MenuEventName } from './channels'
import { hardenContents, hardenSession } from './guards'
import { pushEvent, registerIpc } from './ipc'
import { folderPicker, PICK_DATA_DIR_OPTIONS } from './pickFolder'
import { ElectronPdfPrinter } from './pdf'
import { menuTemplate } from './menu'
import { appPaths } from './paths'
import { appLocation } from './security'
import { createMainWindow, focusWindow, trackWindowState, workAreas, type WindowStateTracker } from './window'
import { initialWindowState, readWindowState } from './windowState'

const APP_NAME = 'Workbench'
/** How long quitting waits for runs to stop and record `interrupted`; the next start recovers the rest. */
const CLOSE_TIMEOUT_MS = 15_000

export function startApp(): void {
  // Before the app is ready, or the scheme gets no origin of its own (appProtocol.ts).
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
  // Native crashes (renderer, GPU, main) leave minidumps in app.getPath('crashDumps'); none is sent.
  crashReporter.start({ uploadToServer: false })
  // Tests (and anyone running two profiles) point Electron's own state somewhere else; it also scopes
  // the single-instance lock, so it must be set first.
  const userData = process.env['WORKBENCH_USER_DATA_DIR']
  if (userData) app.setPath('userData', resolve(userData))
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  app.enableSandbox()

  // The platform's logs folder (inside userData on Linux and Windows, ~/Library/Logs on macOS), made
  // known to getPath before the app is ready.
  app.setAppLogsPath()
  const log = createAppLog({ dir: app.getPath('logs'), name: 'main', echo: !app.isPackaged })
  log.info(
    `Workbench ${app.getVersion()} starting (Electron ${process.versions.electron ?? '?'}, ${process.platform})`,
  )
  let running: () => CrashedRun[] = () => []
  installCrashHandlers(process, {
    log,
    version: app.getVersion(),
    runs: () => running(),
    onFatal: (error, report) => {
      dialog.showErrorBox(
        `${APP_NAME} stopped after an error`,
        `${describeError(error)}\n\n${report ? `A report is in ${report}` : `The log is ${log.file}`}`,
      )
      app.exit(1)
    },
  })

  const location = appLocation(process.env['ELECTRON_RENDERER_URL'], app.isPackaged)
  const devServerUrl = location.kind === 'dev' ? location.origin : undefined
  const paths = appPaths({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    bundleDir: __dirname,
    env: process.env,
  })
  // The settings file sits in the platform's config folder (or the test profile's).
  const settingsDir = !process.env[CONFIG_DIR_ENV] && userData ? resolve(userData) : configDir(process.env)
  const loaded = AppSettings.load(
    join(settingsDir, SETTINGS_FILE),
    { env: process.env, useSavedDataDir: true },
    true,
  )
  if (loaded.problem) log.warn(loaded.problem)
  const settings = loaded.settings
  const dataDir = settings.startup.dataDir

  let win: BrowserWindow | null = null
  let tracker: WindowStateTracker | null = null
  let forwarder: EventForwarder | null = null

  app.on('web-contents-created', (_e, contents) => hardenContents(contents, location))

  // The cluster "Train on" may choose ($WORKBENCH_REDIS_URL; the desktop app has no settings store for it).
  const cluster = appCluster({}, process.env)
  if (!cluster.ok) log.error(`Not sending runs to a cluster: ${cluster.field}: ${cluster.message}`)
  const { startup } = settings
  const opening = app.whenReady().then(async () => {
    const wb = await Workbench.open({
      dataDir,
      builtinDatasetsDir: paths.builtinDatasetsDir,
      workerFile: paths.workerFile,
      // Settings (or $WORKBENCH_MEMORY_BUDGET); absent: the cores, half the machine (memoryBudget.ts).
      ...(startup.maxThreads !== undefined ? { maxThreads: startup.maxThreads } : {}),
      ...(startup.memoryBudget !== undefined ? { memoryBudget: startup.memoryBudget } : {}),
      ...(cluster.ok && cluster.cluster ? { cluster: cluster.cluster } : {}),
      onWorkerFailure: (f) => {
        const run = running().find((r) => r.id === f.runId)
        reportWorkerFailure(log, app.getVersion(), { ...f, ...(run?.name ? { runName: run.name } : {}) })
      },
    })
    running = trainingRuns((l) => wb.subscribe(l)).runs
    log.info(`data folder ${dataDir}: ${wb.maxThreads} threads, memory budget ${wb.memoryBudgetBytes} bytes`)
    return wb
  })
  const handlers: Promise<Handlers> = opening.then((wb) =>
    createHandlers(wb, {
      mode: 'electron',
      dataDir,
      examplesDir: paths.examplesDir,
      pdf: new ElectronPdfPrinter(),
      // The datasets page's Import: a native folder picker over the window.
      pickFolder: folderPicker(dialog, () => win),
      settings,
      pickDataDir: folderPicker(dialog, () => win, PICK_DATA_DIR_OPTIONS),
    }),
  )
  // A failed open is reported once, by the start-up chain below; calls then answer 'unavailable'.
  handlers.catch(() => undefined)
  // Registered before the window exists; calls made while the core opens wait for it.
  registerIpc(handlers, () => (win ? { webContents: win.webContents, app: location } : null), log)

  const openWindow = async (): Promise<BrowserWindow> => {
    const stateFile = join(app.getPath('userData'), 'window-state.json')
    const state = initialWindowState(await readWindowState(stateFile), workAreas())
    const w = createMainWindow({
      preload: join(__dirname, '../preload/index.js'),
      app: location,
      state,
    })
    tracker = trackWindowState(w, stateFile)
    w.on('closed', () => {
      if (win === w) win = null
    })
    win = w
    return w
  }

  // A second launch hands over to this instance: show its window, or a new one where macOS has none.
  app.on('second-instance', () => {
    if (win) focusWindow(win)
    else if (app.isReady()) void openWindow()
  })

  const sendToRenderer = (event: MenuEventName): void => {
    if (win) {
      focusWindow(win)
      pushEvent(win.webContents, event)
      return
    }
    // macOS keeps the app alive without windows: open one and ask it once it has loaded.
    void openWindow().then((w) =>
      w.webContents.once('did-finish-load', () => pushEvent(w.webContents, event)),
    )
  }

  void app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, location)
      // The built renderer, and nothing else, over app:// (traversal and symlinks out are refused).
      protocol.handle(APP_SCHEME, (request) => serveAppRequest(paths.rendererDir, request))
      app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() })
      const template = menuTemplate({
        appName: APP_NAME,
        isMac: process.platform === 'darwin',
        isDev: devServerUrl !== undefined,
        sendToRenderer,
        showAbout: () => app.showAboutPanel(),
        openDataDir: () => void shell.openPath(dataDir),
        openLogsDir: () => void shell.openPath(log.dir),
      })
      Menu.setApplicationMenu(Menu.buildFromTemplate(template))
      await openWindow()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) void openWindow()
      })
      const wb = await opening
      forwarder = forwardEvents(wb, (e) => pushEvent(win?.webContents ?? null, e.event, e.payload))
    })
    .catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e)
      log.error(`could not start: ${describeError(e)}`)
      dialog.showErrorBox(
        `${APP_NAME} could not start`,
        `${message}\n\nData folder: ${dataDir}\nLog: ${log.file}`,
      )
      app.exit(1)
    })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  let quit: 'running' | 'closing' | 'closed' = 'running'
  app.on('before-quit', (e) => {
    if (quit === 'closed') return
    e.preventDefault()
    if (quit === 'closing') return
    quit = 'closing'
    void shutdown().finally(() => {
      quit = 'closed'
      app.quit()
    })
  })
  const shutdown = async (): Promise<void> => {
    await tracker?.flush()
    // Stopping runs can take a training step or two: the app should look gone meanwhile, not hung.
    for (const w of BrowserWindow.getAllWindows()) w.hide()
    forwarder?.close()
    const wb = await opening.catch(() => null)
    if (!wb) return
    await withTimeout(wb.close(), CLOSE_TIMEOUT_MS, log.warn).catch((e: unknown) => {
      log.error(`closing the core failed: ${describeError(e)}`)
    })
  }
  // Ctrl-C in the terminal that started the app: quit the same way as from the menu.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())
}

function withTimeout(p: Promise<void>, ms: number, warn: (m: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(() => {
      warn(`runs did not stop within ${ms / 1000} s; quitting anyway`)
      done()
    }, ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
