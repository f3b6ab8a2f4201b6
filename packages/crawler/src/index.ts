export type { ArchiveWriter } from './archive-writer.js';
export {
  type BudgetPlan,
  type BudgetPlanInputs,
  type InstanceRisk,
  minimumPagingBudget,
  type PlannedAction,
  type PlannedInstance,
  planBudgets,
  type RegionBudgetPlan,
} from './budget-plan.js';
export {
  ACTIONS,
  type Action,
  type BudgetOptions,
  type BudgetPressure,
  DEFAULT_BUDGETS,
} from './budget-registry.js';
export type { Clock } from './clock.js';
export type { CrawlAccount, CrawlOptions } from './crawl-options.js';
export type {
  CrawlEvent,
  CrawlProgress,
  CrawlReport,
  IncompleteInstance,
  RegionProgress,
} from './crawl-report.js';
export { crawl } from './crawl-run.js';
export { recordLifetimeMs } from './deadline-schedule.js';
export { CrawlConfigurationError } from './errors.js';
export { cursorKey } from './instance-ref.js';
export { invocationObservation } from './record-mapping.js';
export type { RetryOptions } from './retry-policy.js';
export { type CrawlShard, shardOf } from './shard-of.js';
export {
  type UnarchivedInstance,
  type UnarchivedRisk,
  type UnarchivedRiskOptions,
  unarchivedRisk,
} from './unarchived-risk.js';
