import { ACTIONS, type Action, DEFAULT_BUDGETS } from '@swas-archive/crawler';
import {
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
  CONFIG_FILE,
  durationMs,
  type LoadedConfig,
} from '@swas-archive/pipelines';
import { type Command, Option } from 'commander';
import { archiveLocationOf, findConfig, pathFromConfig } from '../config-file.js';
import { EXIT, exitStatusOf, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { createLogger, type LogFormat } from '../logger.js';
import {
  actionNumber,
  list,
  positiveInt,
  positiveNumber,
  STORE_DATA_HELP,
  userPath,
} from '../parse-flags.js';
import { progressView } from '../progress-view.js';
import { type ShardFlag, shardFromConfig, shardOption } from '../shard-flag.js';
import { durationFlag, redactionOf } from './archive-config.js';
import { crawlEventLogger, reportJson, summary } from './crawl-output.js';
import { stopOnSignals } from './stop-on-signals.js';

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
function checkBudgetFlags(flags: ArchiveFlags): void {
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

/**
 * Runs the archive job with the flags (and the config file, which they override): crawls into the archive,
 * checks the files the run wrote, writes the metrics; resolves with the exit status (6 when the check
 * found damage).
 */
export async function runArchiveCommand(flags: ArchiveFlags, io: CommandIo): Promise<number> {
  const log = createLogger(flags.quiet ? 'warn' : flags.logLevel, flags.logFormat);
  checkBudgetFlags(flags);
  const loaded = await findConfig(flags.config, io.env);
  const options = jobOptions(flags, loaded, io.env);
  const stop = stopOnSignals(log);
  const view = progressView(log, process.stderr, flags.quiet);
  let result: ArchiveJobResult;
  try {
    log.info({ archive: options.root, config: loaded?.path }, 'crawl started');
    result = await archiveJob({
      ...options,
      onProgress: (p) => view.update(p),
      onEvent: crawlEventLogger(log),
      signal: stop.signal,
    });
  } finally {
    view.stop();
    stop.dispose();
  }
  const { report } = result;
  const p = result.published;
  if (p)
    log.info(
      {
        seq: p.seq,
        uploaded: p.uploaded,
        uploadedBytes: p.uploadedBytes,
        fetched: p.fetched,
        removed: p.removed,
      },
      p.seq ? `published catalog ${p.seq} to ${p.url}` : `nothing new to publish to ${p.url}`,
    );
  if (result.archiveOpened)
    io.stdout.write(flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : summary(report));
  if (report.outcome === 'interrupted' && report.stopReason === 'time-limit') {
    log.warn(
      `stopped at --max-duration: ${report.stopped.length} instance(s) stopped midway; the next run goes on with those nearest expiry`,
    );
    return report.gaps.length > 0 || report.incomplete.length > 0 ? EXIT.partial : EXIT.ok;
  }
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
  if (result.verify && !result.verify.ok) {
    const bad = [
      ...result.verify.missing,
      ...result.verify.corrupt.map((c) => c.path),
      ...result.verify.unreadable.map((u) => u.path),
    ];
    log.error(`the files this run wrote do not check out: ${bad.join(', ')}; run \`swas-archive verify\``);
    return EXIT.damaged;
  }
  return report.outcome === 'complete' ? EXIT.ok : EXIT.partial;
}

/** The job's options: the flags given, else the config file, else the defaults. */
function jobOptions(
  flags: ArchiveFlags,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): Omit<ArchiveJobOptions, 'onProgress' | 'onEvent' | 'signal'> {
  const c = loaded?.config ?? {};
  const root = archiveLocationOf(flags.data, loaded, env);
  const accounts = flags.profile?.length
    ? flags.profile.map((p) => ({ name: p, profile: p }))
    : flags.account
      ? [{ name: flags.account }]
      : (c.accounts ?? [{ name: 'default' }]);
  const perAction = (
    given: Record<string, number> | undefined,
    file: Partial<Record<Action, number>> | undefined,
  ) => ({ ...file, ...(given as Partial<Record<Action, number>>) }) as Partial<Record<Action, number>>;
  const retentionDays = flags.retentionDays ?? c.retentionDays ?? 14;
  return {
    root,
    storeEnv: env,
    accounts,
    endpoint: flags.endpoint ?? c.endpoint,
    timeoutMs: flags.timeoutMs,
    ...(flags.retries ? { retry: { attempts: flags.retries } } : {}),
    regions: flags.regions ?? c.regions,
    instances: flags.instances ?? c.instances,
    shard: flags.shard ?? shardFromConfig(loaded),
    withResults: flags.withResults ?? c.withResults ?? false,
    full: flags.full ?? false,
    budgets: {
      callsPerMinute: perAction(flags.budget, c.budgets?.callsPerMinute),
      inFlight: {
        ...perAction(flags.inFlight, c.budgets?.inFlight),
        ...(flags.concurrency ? { DescribeInvocations: flags.concurrency } : {}),
      },
      accounts: c.budgets?.accounts,
    },
    commitEvery: flags.commitEvery,
    commitIntervalMs:
      flags.commitInterval !== undefined
        ? flags.commitInterval * 1000
        : c.commitInterval
          ? durationMs(c.commitInterval)
          : undefined,
    retentionMs: retentionDays * 86_400_000,
    maxDurationMs: durationFlag('--max-duration', flags.maxDuration ?? c.schedule?.maxDuration),
    runEveryMs: durationFlag('--every', flags.every ?? c.schedule?.every),
    redaction: redactionOf(loaded, env),
    compactAbove: c.compaction?.above,
    metricsFile: flags.metricsFile ? userPath(flags.metricsFile, env) : pathFromConfig(loaded, c.metricsFile),
  };
}
