import { SwasArchiveError } from '@swas-archive/errors';

/** Options a run cannot start with (an unknown region, a bad budget); the message says how to fix them. */
export class CrawlConfigurationError extends SwasArchiveError {
  override name = 'CrawlConfigurationError';
  readonly code = 'crawl.configuration' as const;

  constructor(
    message: string,
    /** The option at fault, e.g. `regions` or `budgets.callsPerMinute.DescribeInvocations`. */
    readonly option?: string,
  ) {
    super(message);
  }
}
