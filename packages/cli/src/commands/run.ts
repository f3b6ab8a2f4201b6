import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { type ArchiveFlags, addArchiveFlags, runArchiveCommand } from './archive-command.js';
import { complianceExportCommand } from './run-compliance-export.js';
import { failureTrendsCommand } from './run-failure-trends.js';

/** `swas-archive run <job>`: the jobs people schedule, from the pipelines package. */
export function runCommand(ctx: CommandContext): Command {
  const run = new Command('run').description(
    'run a scheduled job: archive, failure-trends (HTML and CSV report), compliance-export (export with manifest)',
  );
  const archive = new Command('archive').description(
    'the archive job: crawl every configured account, compact when due, check the files it wrote, write metrics',
  );
  run.addCommand(
    addArchiveFlags(archive).action(async (flags: ArchiveFlags) => {
      ctx.exit(await runArchiveCommand(flags, ctx));
    }),
  );
  run.addCommand(failureTrendsCommand(ctx));
  run.addCommand(complianceExportCommand(ctx));
  return run;
}
