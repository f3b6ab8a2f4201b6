export type { ArchiveWriter, CommitSummary, SnapshotSink } from './archive-writer.js';
export { ACTIONS, type Action, type BudgetOptions, DEFAULT_BUDGETS } from './budget-registry.js';
export type {
  CrawlAccount,
  CrawlEvent,
  CrawlOptions,
  CrawlProgress,
  CrawlReport,
  IncompleteInstance,
} from './crawl-types.js';
export { crawl } from './crawler.js';
export { CrawlConfigurationError } from './errors.js';
export { type InstanceCursor, parseCursor } from './instance-cursor.js';
export type { GapReason } from './instance-outcome.js';
export { cursorKey } from './instance-ref.js';
export type { ListingOrder } from './listing-order.js';
export { PAGE_SIZE } from './page-reader.js';
export { type BudgetLimits, RateBudget } from './rate-budget.js';
export type { RetryOptions } from './retry-policy.js';
