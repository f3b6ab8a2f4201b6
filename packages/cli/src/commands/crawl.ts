import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { runArchiveCommand } from './archive-command.js';
import { type ArchiveFlags, addArchiveFlags } from './archive-flags.js';

/** `swas-archive crawl`: the archive job, from the command line (the same as `run archive`). */
export function crawlCommand(ctx: CommandContext): Command {
  const command = new Command('crawl').description(
    'archive every invocation the API holds for every instance in every region, within the rate budgets',
  );
  return addArchiveFlags(command).action(async (flags: ArchiveFlags) => {
    ctx.exit(await runArchiveCommand(flags, ctx));
  });
}
