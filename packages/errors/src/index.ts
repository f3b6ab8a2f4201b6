export { type CrawlDecision, ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from './error-codes.js';
export { EXIT, type ExitName } from './exit-status.js';
export { crawlDecisionOf, exitStatusOf, isSwasArchiveError, SwasArchiveError } from './swas-archive-error.js';
