/**
 * Where the desktop app finds its files. No Electron import: app.ts passes in what Electron reports.
 * Runs live in the same data folder as the CLI's (so `workbench ls` shows runs started in the window and
 * the other way round); shipped files (builtin datasets, example presets) sit in the package's resources
 * when packaged, and in this checkout otherwise.
 */
import { join } from 'node:path'
import { appPaths as checkoutPaths, appRoot, unpackedPath } from '../core/appPaths'
import { defaultDataDir } from '../cli/dataDir'

export interface AppPaths {
  dataDir: string
  builtinDatasetsDir: string
  examplesDir: string
  /** The bundled training worker, which sits next to the main entry. */
  workerFile: string
  /** The built renderer (out/renderer), served over app:// (appProtocol.ts). */
  rendererDir: string
}

export interface PathInputs {
  isPackaged: boolean
  /** process.resourcesPath */
  resourcesPath: string
  /** The main bundle's own folder (out/main). */
  bundleDir: string
  env: NodeJS.ProcessEnv
}

export function appPaths(p: PathInputs): AppPaths {
  const dataDir = defaultDataDir(p.env)
  const workerFile = join(p.bundleDir, 'worker.js')
  const rendererDir = join(p.bundleDir, '..', 'renderer')
  if (p.isPackaged) {
    return {
      dataDir,
      // Unpacked from app.asar (electron-builder.config.cjs), so training threads load plain files.
      workerFile: unpackedPath(workerFile),
      rendererDir,
      builtinDatasetsDir: join(p.resourcesPath, 'datasets'),
      examplesDir: join(p.resourcesPath, 'examples'),
    }
  }
  // From the bundle up to package.json, however the app was launched (`electron .` or a file path).
  const { builtinDatasetsDir, examplesDir } = checkoutPaths(appRoot(p.bundleDir))
  return { dataDir, workerFile, rendererDir, builtinDatasetsDir, examplesDir }
}
