import { Command, CommanderError, Option } from 'commander';
import { crawlCommand } from './commands/crawl.js';
import { demoCommand } from './commands/demo.js';
import { queryCommand } from './commands/query.js';
import { verifyCommand } from './commands/verify.js';
import { EXIT, exitStatusOf } from './exit-codes.js';
import { type CommandIo, processIo } from './io.js';
import { actionNumber, list, positiveInt, positiveNumber } from './parse-flags.js';

const DATA_HELP = 'archive folder (default: $SWAS_ARCHIVE_DATA, else data/archive)';

/**
 * Runs the `swas-archive` command line and resolves with its exit status. Errors become one line on stderr
 * naming the problem and the fix; nothing but the command's result goes to stdout.
 */
export async function run(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let status: number = EXIT.ok;
  const program = new Command('swas-archive')
    .description(
      'Keeps the command history of Alibaba Cloud Simple Application Server fleets beyond two weeks, as Parquet.',
    )
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit status: ${EXIT.ok} complete · ${EXIT.unexpected} unexpected error · ${EXIT.usage} usage or configuration · ${EXIT.auth} authentication or permission
             ${EXIT.partial} partial (instance incomplete or new gap) · ${EXIT.locked} archive locked by another run · ${EXIT.damaged} verify found damage
             ${EXIT.unreachable} service unreachable or failing after every retry`,
    );

  program
    .command('crawl')
    .description(
      'archive every invocation the API holds for every instance in every region, within the rate budgets',
    )
    .option(
      '--endpoint <url>',
      'one endpoint for every region (the emulator, a private endpoint); default: the regional endpoints',
    )
    .option('--data <dir>', DATA_HELP)
    .option('--regions <a,b>', 'only these regions', list)
    .option('--instances <id,…>', 'only these instances', list)
    .option(
      '--budget <Action=N>',
      'calls per minute per account and region for one action (repeatable)',
      actionNumber('--budget'),
    )
    .option(
      '--in-flight <Action=N>',
      'calls in flight per account and region for one action (repeatable)',
      actionNumber('--in-flight'),
    )
    .option(
      '--concurrency <n>',
      'instances crawled at once per region (= DescribeInvocations calls in flight)',
      positiveInt('--concurrency'),
    )
    .option(
      '--with-results',
      'also fetch DescribeInvocationResult (exit code, output) of invocations that became final',
      false,
    )
    .option('--full', 'walk every page of every instance instead of only what can be new', false)
    .option(
      '--profile <name>',
      'an aliyun CLI / credentials-file profile; repeat for several accounts (each named after its profile)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option(
      '--account <name>',
      'name stored with the rows when credentials come from the environment',
      'default',
    )
    .option('--commit-every <n>', 'observations per commit', positiveInt('--commit-every'))
    .option(
      '--retention-days <d>',
      "the service's retention, used to name gaps",
      positiveNumber('--retention-days'),
      14,
    )
    .option('--timeout-ms <ms>', 'time allowed for one API call', positiveInt('--timeout-ms'))
    .option('--json', 'print the run report as JSON on stdout', false)
    .addOption(
      new Option('--log-level <level>', 'log level on stderr')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .addOption(
      new Option('--log-format <format>', 'log lines for people, or JSON lines')
        .choices(['pretty', 'json'])
        .default('pretty'),
    )
    .action(async (flags) => {
      status = await crawlCommand(flags, io);
    });

  program
    .command('query')
    .description(
      'run SQL over the archive: views invocations, invocation_history, instances_latest, gaps; tables invocation_observations, instances, runs, coverage',
    )
    .argument('<sql>', 'the SQL to run')
    .option('--data <dir>', DATA_HELP)
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'),
    )
    .action(async (sql: string, flags) => {
      status = await queryCommand(sql, flags, io);
    });

  program
    .command('verify')
    .description(
      "check every committed file against the catalog's checksum and row count, and look for stray files",
    )
    .option('--data <dir>', DATA_HELP)
    .option('--json', 'print the report as JSON', false)
    .action(async (flags) => {
      status = await verifyCommand(flags, io);
    });

  program
    .command('demo')
    .description(
      'run the whole job against the built-in emulator: archive a fleet, let a day pass, archive again, query',
    )
    .option('--data <dir>', 'where the demo archive goes', 'data/demo')
    .option('--seed <n>', 'seed of the emulated fleet', positiveInt('--seed'), 42)
    .option('--no-keep', 'remove the demo archive afterwards')
    .action(async (flags) => {
      status = await demoCommand(flags, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the problem; --help and --version end here too.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const code = exitStatusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`swas-archive: ${code === EXIT.unexpected ? 'unexpected error: ' : ''}${message}\n`);
    return code;
  }
}
