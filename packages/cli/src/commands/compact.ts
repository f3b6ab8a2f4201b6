import { openArchive } from '@swas-archive/archive';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir, positiveInt } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `compact`. */
interface CompactFlags {
  data?: string;
  minFiles: number;
  json: boolean;
}

/** `swas-archive compact`: its flags and its handler. */
export function compactCommand(ctx: CommandContext): Command {
  return new Command('compact')
    .description(
      'merge the small files of each partition into few, in one atomic commit that keeps every row',
    )
    .option('--data <dir>', DATA_HELP)
    .option(
      '--min-files <n>',
      'compact a partition that has at least this many files (2 or more: one file is compact)',
      positiveInt('--min-files', 2),
      2,
    )
    .option('--json', 'print what was done as JSON', false)
    .addHelpText(
      'after',
      `
Crawls compact on their own once a partition reaches 16 files; this does it now.
It takes the writer lock (exit 5 while a crawl runs); readers are never blocked.
${examples(['swas-archive compact --data /var/lib/swas-archive', 'merge every partition of two files or more'], ['swas-archive compact --min-files 8 --json', 'only partitions of eight files or more'])}`,
    )
    .action(async (flags: CompactFlags) => {
      ctx.exit(await runCompact(flags, ctx));
    });
}

/** Compacts the archive; resolves with the exit status. */
async function runCompact(flags: CompactFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const archive = await openArchive({ root });
  try {
    const result = await archive.compact({ minFiles: flags.minFiles });
    io.stdout.write(
      flags.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : result.partitions === 0
          ? `nothing to compact: no partition has ${flags.minFiles} files or more (${root})\n`
          : `compacted ${result.partitions} partition(s): ${result.filesBefore} files into ${result.filesAfter}, ${result.rows} rows kept (${root})\n`,
    );
    return EXIT.ok;
  } finally {
    await archive.close();
  }
}
