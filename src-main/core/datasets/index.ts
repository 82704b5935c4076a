/**
 * Datasets on disk for the main process, the CLI and the browser-mode server: the downloadable sources,
 * the resumable verified downloader, and the registry of `<dataDir>/datasets/`. Plain Node, no Electron.
 */
export {
  SOURCES,
  getSource,
  sourceFileName,
  type DatasetSource,
  type SourceFile,
  type UnpackMode,
} from './sources'
export {
  downloadDataset,
  type DownloadOptions,
  type DownloadPhase,
  type DownloadProgress,
  type DownloadResult,
} from './download'
export {
  DatasetRegistry,
  type CleanupOptions,
  type DatasetInfo,
  type DatasetRegistryOptions,
  type ImportMode,
  type ImportOptions,
  type RegistryDownloadOptions,
} from './registry'
export { MANIFEST_FILE, type DatasetManifest, type DatasetSourceKind } from './manifest'
export { DatasetsError, type DatasetsErrorCode } from './errors'
export { DATASET_NAME_PATTERN } from './validate'
export type { DatasetLoader } from './loader'
