import { ACTIONS, type Action, DEFAULT_BUDGETS } from '@swas-archive/crawler';
import { type ArchiveJobResult, archiveJob } from '@swas-archive/pipelines';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT, exitStatusOf, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { createLogger, type LogFormat } from '../logger.js';
import { actionNumber, DATA_HELP, dataDir, list, positiveInt, positiveNumber } from '../parse-flags.js';
import { crawlEventLogger, logProgress, reportJson, summary } from './crawl-output.js';
import { stopOnSignals } from './stop-on-signals.js';

/** The flags of `crawl`, as commander parses them. */
export interface CrawlFlags {
  endpoint?: string;
  data?: string;
  regions?: string[];
  instances?: string[];
  budget?: Record<string, number>;
  inFlight?: Record<string, number>;
  concurrency?: number;
  withResults: boolean;
  full: boolean;
  profile?: string[];
  account: string;
  commitEvery?: number;
  commitInterval?: number;
  retentionDays: number;
  timeoutMs?: number;
  json: boolean;
  logLevel: string;
  logFormat: LogFormat;
}

/** `swas-archive crawl`: its flags (one `.option` each, in `--help` order: a list, longer than 60 lines) and its handler. */
export function crawlCommand(ctx: CommandContext): Command {
  return new Command('crawl')
    .description(
      'archive every invocation the API holds for every instance in every region, within the rate budgets',
    )
    .option(
      '--endpoint <url>',
      'one endpoint for every region (the emulator, a private endpoint); default: the regional endpoints',
    )
    .option('--data <dir>', DATA_HELP)
    .option('--regions <a,b>', 'only these regions (default: every region ListRegions returns)', list)
    .option('--instances <id,…>', 'only these instances (default: every instance)', list)
    .option(
      '--budget <Action=N>',
      `calls per minute per account and region for one action, repeatable (defaults: ${defaults('callsPerMinute')})`,
      actionNumber('--budget'),
    )
    .option(
      '--in-flight <Action=N>',
      `calls in flight per account and region for one action, repeatable (defaults: ${defaults('inFlight')})`,
      actionNumber('--in-flight'),
    )
    .option(
      '--concurrency <n>',
      `instances crawled at once per region, = DescribeInvocations calls in flight (default: ${DEFAULT_BUDGETS.DescribeInvocations.inFlight})`,
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
      'an aliyun CLI / credentials-file profile; repeat for several accounts, each named after its profile (default: the credential chain, see below)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option(
      '--account <name>',
      'name stored with the rows when credentials come from the environment',
      'default',
    )
    .option(
      '--commit-every <n>',
      'observations per commit at most (default: 100000)',
      positiveInt('--commit-every'),
    )
    .option(
      '--commit-interval <s>',
      'commit what was read at least this often, seconds (default: 60)',
      positiveNumber('--commit-interval'),
    )
    .option(
      '--retention-days <d>',
      "the service's retention, used to name gaps",
      positiveNumber('--retention-days'),
      14,
    )
    .option(
      '--timeout-ms <ms>',
      'time allowed for one API call (default: 20000)',
      positiveInt('--timeout-ms'),
    )
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
    .addHelpText('after', CRAWL_HELP)
    .action(async (flags: CrawlFlags) => {
      ctx.exit(await runCrawl(flags, ctx));
    });
}

/** What `crawl --help` says after the flags: where credentials come from, and two examples. */
const CRAWL_HELP = `
Credentials (never as flags, never printed), in the order they are looked for:
  ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET
    (+ ALIBABA_CLOUD_SECURITY_TOKEN for STS)
  ALIBABA_CLOUD_ROLE_ARN + ALIBABA_CLOUD_OIDC_PROVIDER_ARN
    + ALIBABA_CLOUD_OIDC_TOKEN_FILE (an OIDC role)
  ~/.aliyun/config.json: profile --profile, else ALIBABA_CLOUD_PROFILE,
    else the current one
  ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE)
  the ECS instance RAM role
${examples(
  [
    'swas-archive crawl --data /var/lib/swas-archive --with-results',
    'archive everything, with exit codes and output',
  ],
  [
    'swas-archive crawl --profile prod --budget DescribeInvocations=600',
    'the accounts of one profile, a higher budget for the paging action',
  ],
)}`;

/** `Action=N` for every action, from the crawler's defaults. */
const defaults = (kind: 'callsPerMinute' | 'inFlight') =>
  ACTIONS.map((a) => `${a}=${DEFAULT_BUDGETS[a][kind]}`).join(', ');

/** Refuses `--budget` and `--in-flight` for actions that have no budget. */
function checkBudgetFlags(flags: CrawlFlags): void {
  for (const [flag, table] of [
    ['--budget', flags.budget],
    ['--in-flight', flags.inFlight],
  ] as const) {
    const unknown = Object.keys(table ?? {}).filter((a) => !(ACTIONS as readonly string[]).includes(a));
    if (unknown.length > 0)
      throw new UsageError(
        `${flag}: unknown action ${unknown.join(', ')}; budgets apply to ${ACTIONS.join(', ')}`,
      );
  }
}

/** Archives what the API holds into the archive folder; resolves with the exit status. */
async function runCrawl(flags: CrawlFlags, io: CommandIo): Promise<number> {
  const log = createLogger(flags.logLevel, flags.logFormat);
  checkBudgetFlags(flags);
  const root = dataDir(flags.data, io.env);
  const stop = stopOnSignals(log);
  let result: ArchiveJobResult;
  try {
    log.info({ archive: root }, 'crawl started');
    result = await archiveJob({
      root,
      accounts: flags.profile?.length
        ? flags.profile.map((p) => ({ name: p, profile: p }))
        : [{ name: flags.account }],
      endpoint: flags.endpoint,
      timeoutMs: flags.timeoutMs,
      regions: flags.regions,
      instances: flags.instances,
      withResults: flags.withResults,
      full: flags.full,
      budgets: {
        callsPerMinute: flags.budget as Partial<Record<Action, number>>,
        inFlight: {
          ...(flags.inFlight as Partial<Record<Action, number>>),
          ...(flags.concurrency ? { DescribeInvocations: flags.concurrency } : {}),
        },
      },
      commitEvery: flags.commitEvery,
      commitIntervalMs: flags.commitInterval === undefined ? undefined : flags.commitInterval * 1000,
      retentionMs: flags.retentionDays * 86_400_000,
      onProgress: (p) => logProgress(log, p),
      onEvent: crawlEventLogger(log),
      signal: stop.signal,
    });
  } finally {
    stop.dispose();
  }
  const { report } = result;
  if (result.archiveOpened)
    io.stdout.write(flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : summary(report));
  if (report.outcome === 'interrupted') {
    log.warn(
      `stopped by ${report.stopReason}: ${report.recordsNew} new and ${report.recordsChanged} changed invocations are kept in ${report.commits} snapshot(s); ${report.stopped.length} instance(s) stopped midway, and the next run goes on from there`,
    );
    return report.stopReason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
  }
  if (report.error) {
    const status = exitStatusOf(report.error);
    const hint =
      status === EXIT.unreachable
        ? `; gave up after ${report.retries} retries: check --endpoint (or the regional endpoints) and the network`
        : '';
    log.error({ code: (report.error as { code?: string }).code }, `${report.error.message}${hint}`);
    return status;
  }
  return report.outcome === 'complete' ? EXIT.ok : EXIT.partial;
}
