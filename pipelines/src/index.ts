export {
  type AccountSource,
  type ArchiveJobEvent,
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
} from './archive-job.js';
export { type ArchiveStatus, archiveStatus, type InstanceAtRisk } from './archive-status.js';
export {
  CONFIG_FILE,
  ConfigError,
  configJsonSchema,
  configPath,
  durationMs,
  type LoadedConfig,
  loadConfig,
  type SwasArchiveConfig,
} from './config.js';
export {
  type DumpFile,
  type DumpItem,
  type DumpReadOptions,
  readDump,
} from './dump-reader.js';
export { ImportUsageError } from './errors.js';
export { checkHealth, type HealthOptions, type HealthResult } from './health.js';
export {
  type ImportEvent,
  type ImportedInstance,
  type ImportJobOptions,
  type ImportJobResult,
  importJob,
  type SkippedPage,
} from './import-job.js';
export { metricsText, writeMetricsFile } from './metrics.js';
