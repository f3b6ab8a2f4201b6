import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { runArchiveCommand } from './archive-command.js';
import { type ArchiveFlags, addArchiveFlags } from './archive-flags.js';

/** `swas-archive run <job>`: the jobs people schedule, from the pipelines package. */
export function runCommand(ctx: CommandContext): Command {
  const run = new Command('run').description(
    'run a scheduled job: archive (crawl, check what was written, write metrics)',
  );
  const archive = new Command('archive').description(
    'the archive job: crawl every configured account, compact when due, check the files it wrote, write metrics',
  );
  run.addCommand(
    addArchiveFlags(archive).action(async (flags: ArchiveFlags) => {
      ctx.exit(await runArchiveCommand(flags, ctx));
    }),
  );
  return run;
}
