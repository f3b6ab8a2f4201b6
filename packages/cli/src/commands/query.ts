import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { type Catalog, type CatalogFile, isStoreUrl, readCatalog } from '@swas-archive/archive';
import { datasetsUnder, QuerySession, tablesNamedIn } from '@swas-archive/query';
import { Command, Option } from 'commander';
import { readableArchive } from '../archive-copy.js';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { FORMAT_HELP, OUTPUT_FORMATS, type OutputFormat } from '../output/output-format.js';
import { writeRows } from '../output/write-rows.js';
import { STORE_DATA_HELP } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';

/** The flags of `query`. */
interface QueryFlags extends ResourceFlags {
  data?: string;
  format: OutputFormat;
}

/** `swas-archive query "SQL"`: its flags and its handler. */
export function queryCommand(ctx: CommandContext): Command {
  const command = new Command('query')
    .description(
      'run one SELECT over the archive (read-only): views invocations, invocation_history, instances_latest, gaps; tables invocation_observations, instances, runs, coverage',
    )
    .argument('<sql>', 'one SELECT statement (WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE too)')
    .option('--data <dir>', STORE_DATA_HELP)
    .addOption(new Option('--format <format>', FORMAT_HELP).choices(OUTPUT_FORMATS).default('table'));
  return addResourceFlags(command)
    .addHelpText(
      'after',
      `
Rows stream to stdout as they are read, so a result of any size takes bounded
memory (table shows the first 1,000). Anything but one SELECT is refused with
exit 2 (COPY, ATTACH, CREATE, INSERT, SET, PRAGMA, INSTALL, LOAD and the
like), and so is a read outside the archive (read_csv('/etc/passwd')).
Add ORDER BY when the order of rows matters.
${examples(
  [`swas-archive query "SELECT command_name, count(*) FROM invocations GROUP BY 1"`, 'runs per command'],
  ['swas-archive query --format csv "SELECT * FROM invocation_history" > all.csv', 'every observation'],
)}`,
    )
    .action(async (sql: string, flags: QueryFlags) => {
      ctx.exit(await runQuery(sql, flags, ctx));
    });
}

/** Streams the result of `sql` to stdout, nothing else; resolves with the exit status. */
async function runQuery(sql: string, flags: QueryFlags, io: CommandIo): Promise<number> {
  // From an object store, only the datasets the statement reads are fetched (all when it cannot tell).
  const remote = isStoreUrl(flags.data ?? io.env.SWAS_ARCHIVE_DATA ?? '');
  const names = remote ? await tablesNamedIn(sql) : undefined;
  const select =
    names &&
    ((catalog: Catalog) => {
      const needed = datasetsUnder(names, catalog);
      return (file: CatalogFile) => needed.has(file.table);
    });
  const archive = await readableArchive(flags.data, io.env, select);
  try {
    const session = await QuerySession.open(archive.root, limitsOf(flags));
    try {
      const result = await session.stream(sql);
      await writeRows(io.stdout, flags.format, result.columns, result);
      return 0;
    } finally {
      session.close();
    }
  } finally {
    await archive.dispose();
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
    if (code === 'ENOTDIR')
      throw new UsageError(
        `--data ${root} is a file, not an archive folder: point --data (or SWAS_ARCHIVE_DATA) at the folder a crawl wrote`,
      );
    // A folder whose datasets hold files lost its catalog: that is damage (exit 6), not "no archive".
    if (code === 'ENOENT') await readCatalog(root);
    // A first crawl writes catalog.json only with its first commit: until then there is nothing to read.
    if (code === 'ENOENT' && (await firstCommitPending(root)))
      throw new UsageError(
        `the archive at ${root} has nothing committed yet: a crawl is making its first commit (catalog.json appears with it); try again once it has`,
      );
    throw new UsageError(
      `no archive at ${root}: run \`swas-archive crawl --data ${root}\` first, or point --data (or SWAS_ARCHIVE_DATA) at an archive`,
    );
  }
}

/** Whether a writer has started an archive at `root` (its lock, staging or journal) that has no catalog yet. */
async function firstCommitPending(root: string): Promise<boolean> {
  for (const name of ['.writer.lock', '_staging', '_journal']) {
    try {
      await access(join(root, name));
      return true;
    } catch {
      // Absent (or unreadable, which the catalog's own read reports): look at the next sign.
    }
  }
  return false;
}
