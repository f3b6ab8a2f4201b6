export type { BudgetPlan, RegionBudgetPlan } from '@swas-archive/crawler';
export {
  type AccountSource,
  type ArchiveJobEvent,
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
} from './archive-job.js';
export { type ArchiveStatus, archiveStatus, type InstanceAtRisk } from './archive-status.js';
export {
  type ComplianceExportJobOptions,
  type ComplianceExportJobResult,
  complianceExportJob,
} from './compliance-export-job.js';
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
export { ImportUsageError, JobUsageError } from './errors.js';
export {
  type FailureTrendsJobOptions,
  type FailureTrendsJobResult,
  failureTrendsJob,
} from './failure-trends-job.js';
export { checkHealth, type HealthOptions, type HealthResult, healthFigures } from './health.js';
export {
  type ImportEvent,
  type ImportJobOptions,
  type ImportJobResult,
  importJob,
  type SkippedPage,
} from './import-job.js';
export { metricsText, writeMetricsFile } from './metrics.js';
export { budgetOf, type PlanOptions, planArchive } from './plan-job.js';
export { type StorePublish, storeReadCopy } from './store-archive.js';
