import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { QuerySession, type Row } from '@swas-archive/query';
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir } from '../parse-flags.js';

type QueryFormat = 'table' | 'csv' | 'json';

/** The flags of `query`. */
interface QueryFlags {
  data?: string;
  format: QueryFormat;
}

/** `swas-archive query "SQL"`: its flags and its handler. */
export function queryCommand(ctx: CommandContext): Command {
  return new Command('query')
    .description(
      'run SQL over the archive: views invocations, invocation_history, instances_latest, gaps; tables invocation_observations, instances, runs, coverage',
    )
    .argument('<sql>', 'the SQL to run')
    .option('--data <dir>', DATA_HELP)
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'),
    )
    .addHelpText(
      'after',
      examples(
        [
          `swas-archive query "SELECT command_name, count(*) FROM invocations GROUP BY 1"`,
          'runs per command',
        ],
        ['swas-archive query --format csv "SELECT * FROM gaps" > gaps.csv', 'every gap, as CSV'],
      ),
    )
    .action(async (sql: string, flags: QueryFlags) => {
      ctx.exit(await runQuery(sql, flags, ctx));
    });
}

/** Prints the result of `sql` on stdout, nothing else; resolves with the exit status. */
async function runQuery(sql: string, flags: QueryFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const session = await QuerySession.open(root);
  try {
    const result = await session.run(sql);
    io.stdout.write(format(result.columns, result.rows, flags.format));
    return 0;
  } finally {
    session.close();
  }
}

/** Refuses a folder that holds no archive, rather than answering every query with nothing. */
export async function requireArchive(root: string): Promise<void> {
  try {
    await access(join(root, 'catalog.json'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new UsageError(`cannot read the archive at ${root} (${code}): check its permissions`);
    throw new UsageError(
      `no archive at ${root}: run \`swas-archive crawl --data ${root}\` first, or point --data (or SWAS_ARCHIVE_DATA) at an archive`,
    );
  }
}

function format(columns: string[], rows: Row[], as: QueryFormat): string {
  if (as === 'json') return `${JSON.stringify(rows)}\n`;
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (as === 'csv') return stringify([columns, ...rows.map((r) => columns.map((c) => cell(r[c])))]);
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => truncate(cell(r[c]), 60)));
  return `${table.toString()}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
}

const truncate = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};
