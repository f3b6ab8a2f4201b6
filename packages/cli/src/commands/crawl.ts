import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { type ArchiveFlags, addArchiveFlags, runArchiveCommand } from './archive-command.js';

/** `swas-archive crawl`: the archive job, from the command line (the same as `run archive`). */
export function crawlCommand(ctx: CommandContext): Command {
  const command = new Command('crawl').description(
    'archive every invocation the API holds for every instance in every region, within the rate budgets',
  );
  return addArchiveFlags(command).action(async (flags: ArchiveFlags) => {
    ctx.exit(await runArchiveCommand(flags, ctx));
  });
}
