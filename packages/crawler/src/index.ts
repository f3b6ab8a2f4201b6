export type { ArchiveWriter } from './archive-writer.js';
export {
  ACTIONS,
  type Action,
  type BudgetOptions,
  type BudgetPressure,
  DEFAULT_BUDGETS,
} from './budget-registry.js';
export type { CrawlAccount, CrawlOptions } from './crawl-options.js';
export type {
  CrawlEvent,
  CrawlProgress,
  CrawlReport,
  IncompleteInstance,
  RegionProgress,
} from './crawl-report.js';
export { crawl } from './crawl-run.js';
export { CrawlConfigurationError } from './errors.js';
export { invocationObservation } from './record-mapping.js';
export type { RetryOptions } from './retry-policy.js';
