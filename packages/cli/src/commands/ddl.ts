import { DDL_ENGINES, type DdlEngine, externalTableDdl, readCatalog } from '@swas-archive/archive';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir, userPath } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `ddl`. */
interface DdlFlags {
  engine: DdlEngine;
  data?: string;
  location?: string;
  schema?: string;
  glob: boolean;
}

/** `swas-archive ddl --engine E`: its flags and its handler. */
export function ddlCommand(ctx: CommandContext): Command {
  return (
    new Command('ddl')
      .description(
        "print the statements that make the archive's datasets external tables of another engine (read in place)",
      )
      .addOption(
        new Option('--engine <engine>', 'the engine that reads the files')
          .choices(DDL_ENGINES)
          .makeOptionMandatory(),
      )
      .option('--data <dir>', DATA_HELP)
      .option(
        '--location <url>',
        'where the engine reads the archive: s3://bucket/prefix, oss://endpoint/bucket/prefix, hdfs://…, or a folder (default: --data; MaxCompute needs oss://)',
      )
      .option(
        '--schema <name>',
        'the database (schema) of the tables; not for DuckDB (default: swas_archive)',
      )
      .option(
        '--glob',
        'DuckDB only: read the folders (new files without regenerating, but also files a commit replaced, for 15 min) instead of exactly the files the catalog lists now',
        false,
      )
      // An earlier name of the default (exactly the committed files): accepted, hidden.
      .addOption(new Option('--pin').hideHelp())
      .addHelpText(
        'after',
        `
Each dataset becomes a table partitioned by date (a string, the date=YYYY-MM-DD
folders), with the archive's column types. The catalog (catalog.json) lists the
committed files: DuckDB's views read exactly those (print them again after a
commit), unless --glob. A table over a folder also sees the files of a commit
in progress and, for 15 minutes, both the files a commit replaced and their
replacements (see the archive README, "Reading in place").
${examples(
  ['swas-archive ddl --engine duckdb | duckdb', 'DuckDB views of the archive as committed now'],
  [
    'swas-archive ddl --engine trino --location s3://bkt/swas --schema swas > t.sql',
    'Hive-connector tables over a copy on S3',
  ],
)}`,
      )
      .action(async (flags: DdlFlags) => {
        ctx.exit(await runDdl(flags, ctx));
      })
  );
}

/** Prints the DDL for the archive at `--data`; resolves with the exit status. */
async function runDdl(flags: DdlFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const catalog = await readCatalog(root);
  io.stdout.write(
    externalTableDdl({
      engine: flags.engine,
      root,
      catalog,
      // A folder typed on the command line is taken from where the user runs it; a URL as it is.
      location:
        flags.location && !/^[a-z][a-z0-9+.-]*:\/\//i.test(flags.location)
          ? userPath(flags.location, io.env)
          : flags.location,
      schema: flags.schema,
      // DuckDB reads exactly the committed files unless asked to read the folders.
      pin: flags.engine === 'duckdb' && !flags.glob,
    }),
  );
  return 0;
}
