import { ACTIONS, DEFAULT_BUDGETS } from '@swas-archive/crawler';
import { CONFIG_FILE } from '@swas-archive/pipelines';
import { type Command, Option } from 'commander';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { LogFormat } from '../logger.js';
import { actionNumber, list, positiveInt, positiveNumber, STORE_DATA_HELP } from '../parse-flags.js';
import { type ShardFlag, shardOption } from '../shard-flag.js';

/** The flags of `crawl` and `run archive`, as commander parses them (unset unless given). */
export interface ArchiveFlags {
  endpoint?: string;
  data?: string;
  regions?: string[];
  instances?: string[];
  shard?: ShardFlag;
  budget?: Record<string, number>;
  inFlight?: Record<string, number>;
  concurrency?: number;
  withResults?: boolean;
  full?: boolean;
  profile?: string[];
  account?: string;
  commitEvery?: number;
  commitInterval?: number;
  retentionDays?: number;
  timeoutMs?: number;
  retries?: number;
  maxDuration?: string;
  every?: string;
  config?: string;
  metricsFile?: string;
  json: boolean;
  quiet: boolean;
  logLevel: string;
  logFormat: LogFormat;
}

/**
 * Adds the flags of the archive job to `command` (`crawl`, `run archive`): one `.option` each, in
 * `--help` order (a list, longer than 60 lines). Values a config file can give have no commander default,
 * so that a flag given wins over the file and the file wins over the built-in default.
 */
export function addArchiveFlags(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      'one endpoint for every region (the emulator, a private endpoint); default: the regional endpoints',
    )
    .option('--data <dir>', STORE_DATA_HELP)
    .option('--regions <a,b>', 'only these regions (default: every region ListRegions returns)', list)
    .option('--instances <id,…>', 'only these instances (default: every instance)', list)
    .addOption(shardOption())
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
      'also fetch DescribeInvocationResult (exit code, output) of invocations that became final (default: false)',
    )
    .option('--full', 'walk every page of every instance instead of only what can be new (default: false)')
    .option(
      '--profile <name>',
      'an aliyun CLI / credentials-file profile; repeat for several accounts, each named after its profile (default: the credential chain, see below)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option(
      '--account <name>',
      'name stored with the rows when credentials come from the environment (default: "default")',
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
      "the service's retention, used to name gaps (default: 14)",
      positiveNumber('--retention-days'),
    )
    .option(
      '--timeout-ms <ms>',
      'time allowed for one API call (default: 20000)',
      positiveInt('--timeout-ms'),
    )
    .option(
      '--retries <n>',
      'attempts per API call for transient failures (5xx, resets, timeouts, throttling), the first included (default: 6)',
      positiveInt('--retries'),
    )
    .option(
      '--max-duration <duration>',
      'stop crawling after this long (8h, 90m), committing what was read; the next run goes on where expiry is nearest',
    )
    .option(
      '--every <duration>',
      'how often this job is scheduled (6h): quiet instances are then checked only as often as their records need',
    )
    .option(
      '--config <file>',
      `a config file (default: ${CONFIG_FILE} in the current folder, if there is one); flags win`,
    )
    .option(
      '--metrics-file <file>',
      "write the run's metrics there, in the Prometheus text format (for node_exporter)",
    )
    .option('--json', 'print the run report as JSON on stdout', false)
    .option('--quiet', 'no progress, only warnings and errors', false)
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
    .addHelpText('after', CRAWL_HELP);
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
export function checkBudgetFlags(flags: ArchiveFlags): void {
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
