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
export { type GapReason, PAGE_SIZE } from './instance-crawl.js';
export { cursorKey, type InstanceCursor, type ListingOrder, parseCursor } from './instance-cursor.js';
export { type BudgetLimits, RateBudget } from './rate-budget.js';
export type { RetryOptions } from './retry-policy.js';
