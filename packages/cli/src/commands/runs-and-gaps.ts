import { QuerySession } from '@swas-archive/query';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { FORMAT_HELP, OUTPUT_FORMATS, type OutputFormat } from '../output/output-format.js';
import { writeRows } from '../output/write-rows.js';
import { DATA_HELP, dataDir, positiveInt } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `runs` and `gaps`. */
interface ListFlags {
  data?: string;
  limit: number;
  open?: boolean;
  format: OutputFormat;
}

/** `swas-archive runs`: the recent runs, newest first. */
export function runsCommand(ctx: CommandContext): Command {
  return listCommand(
    ctx,
    new Command('runs').description('the recent runs: outcome, calls, records, throttles, instances, gaps'),
    `SELECT run_id, started_at, finished_at, outcome, calls_by_action, throttles, retries, records_new,
        records_changed, instances_complete, instances_incomplete, gaps_found
      FROM runs ORDER BY started_at DESC LIMIT $limit`,
    examples(
      ['swas-archive runs --limit 5', 'the last five runs'],
      ['swas-archive runs --format json', 'for a machine'],
    ),
  );
}

/** `swas-archive gaps`: the gaps found, open first. */
export function gapsCommand(ctx: CommandContext): Command {
  return listCommand(
    ctx,
    new Command('gaps')
      .description('the gaps found: instance, bounds, reason, and whether a later run covered them')
      .option('--open', 'only the gaps no later run has covered'),
    `SELECT account, region_id, instance_id, gap_reason AS reason, gap_start, gap_end, observed_at AS found_at,
        resolved, detail
      FROM gaps WHERE NOT ($open AND resolved)
      ORDER BY resolved, observed_at DESC, account, region_id, instance_id LIMIT $limit`,
    examples(
      ['swas-archive gaps --open', 'what may have been lost'],
      ['swas-archive gaps --format csv > gaps.csv', 'every gap, as CSV'],
    ),
  );
}

function listCommand(ctx: CommandContext, command: Command, sql: string, help: string): Command {
  return command
    .option('--data <dir>', DATA_HELP)
    .option('--limit <n>', 'at most this many rows', positiveInt('--limit'), 50)
    .addOption(new Option('--format <format>', FORMAT_HELP).choices(OUTPUT_FORMATS).default('table'))
    .addHelpText('after', help)
    .action(async (flags: ListFlags) => {
      ctx.exit(await runList(sql, flags, ctx));
    });
}

async function runList(sql: string, flags: ListFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const session = await QuerySession.open(root);
  try {
    const result = await session.stream(sql, { limit: flags.limit, open: flags.open === true });
    await writeRows(io.stdout, flags.format, result.columns, result);
    return EXIT.ok;
  } finally {
    session.close();
  }
}
