/** Options a run cannot start with (an unknown region, a bad budget); the message says how to fix them. */
export class CrawlConfigurationError extends Error {
  override name = 'CrawlConfigurationError';
  readonly code = 'CrawlConfiguration';
  readonly transient = false;
}
