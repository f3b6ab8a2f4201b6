import type { SessionLimits } from '@swas-archive/query';
import type { Command } from 'commander';
import { memorySize, positiveInt } from './parse-flags.js';

/** The flags of `--memory-limit` and `--threads`. */
export interface ResourceFlags {
  memoryLimit?: string;
  threads?: number;
}

/**
 * Adds `--memory-limit` and `--threads` to a command that opens a query session. The defaults fit a
 * 512 MiB container; raise them on a bigger machine for aggregations over a large archive.
 */
export function addResourceFlags(command: Command): Command {
  return command
    .option(
      '--memory-limit <size>',
      "DuckDB's memory before it spills to a temporary folder (default 160MB)",
      memorySize('--memory-limit'),
    )
    .option('--threads <n>', "DuckDB's threads (default 1)", positiveInt('--threads'));
}

/** The session limits the flags ask for. */
export const limitsOf = (flags: ResourceFlags): SessionLimits => ({
  memoryLimit: flags.memoryLimit,
  threads: flags.threads,
});
