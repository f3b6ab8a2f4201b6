import { SwasArchiveError } from '@swas-archive/errors';

export { EXIT, exitStatusOf } from '@swas-archive/errors';

/** A command called the wrong way (a bad flag value, no archive at `--data`); the message says how to fix it. */
export class UsageError extends SwasArchiveError {
  override name = 'UsageError';
  readonly code = 'cli.usage' as const;
}

/** Configuration that cannot be used (an environment variable a config file names is missing); exit 2. */
export class ConfigUsageError extends SwasArchiveError {
  override name = 'ConfigUsageError';
  readonly code = 'cli.usage' as const;
}
