import {
  ACTIONS,
  type Action,
  type CrawlProgress,
  type CrawlReport,
  DEFAULT_BUDGETS,
} from '@swas-archive/crawler';
import { type ArchiveJobEvent, type ArchiveJobResult, archiveJob } from '@swas-archive/pipelines';
import { Command, Option } from 'commander';
import type { Logger } from 'pino';
import type { CommandContext } from '../command-context.js';
import { EXIT, exitStatusOf, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { createLogger, type LogFormat } from '../logger.js';
import { actionNumber, DATA_HELP, dataDir, list, positiveInt, positiveNumber } from '../parse-flags.js';

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

/** `swas-archive crawl`: its flags and its handler. */
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
    .addHelpText(
      'after',
      `
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
)}`,
    )
    .action(async (flags: CrawlFlags) => {
      ctx.exit(await runCrawl(flags, ctx));
    });
}

/** `Action=N` for every action, from the crawler's defaults. */
const defaults = (kind: 'callsPerMinute' | 'inFlight') =>
  ACTIONS.map((a) => `${a}=${DEFAULT_BUDGETS[a][kind]}`).join(', ');

/** Archives what the API holds into the archive folder; resolves with the exit status. */
async function runCrawl(flags: CrawlFlags, io: CommandIo): Promise<number> {
  const log = createLogger(flags.logLevel, flags.logFormat);
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

/** About how long, for people: `about 4 min`, `under a minute`, `about 2 h`. */
function minutes(ms: number): string {
  if (ms < 60_000) return 'under a minute';
  if (ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min`;
  return `about ${(ms / 3_600_000).toFixed(1)} h`;
}

/** How often progress is logged at most. */
const PROGRESS_LOG_MS = 10_000;
let lastProgressLog = 0;

/** Progress as a log line, every ten seconds at most (and the last one). */
function logProgress(log: Logger, p: CrawlProgress): void {
  const now = Date.now();
  if (now - lastProgressLog < PROGRESS_LOG_MS && p.instancesDone < p.instancesTotal) return;
  lastProgressLog = now;
  log.info(
    {
      done: `${p.instancesDone}/${p.instancesTotal}`,
      calls: p.callsByAction,
      seen: p.recordsSeen,
      throttles: p.throttles,
      retries: p.retries,
      etaS: p.etaMs === undefined ? undefined : Math.round(p.etaMs / 1000),
    },
    'progress',
  );
}

/** Log lines for the job's events: the first retry of each kind says at once what is being retried and why. */
function crawlEventLogger(log: Logger): (e: ArchiveJobEvent) => void {
  const told = new Set<string>();
  return (e) => {
    if (e.type === 'retry') {
      const kind = `${e.action}/${e.code}`;
      const line = `${e.reason} (attempt ${e.attempt} of ${e.attempts}; retrying in ${(e.waitMs / 1000).toFixed(1)} s)`;
      if (told.has(kind)) log.debug(e, line);
      else log.warn(line);
      told.add(kind);
    } else if (e.type === 'instance-failed') log.warn(e, 'instance incomplete');
    else if (e.type === 'gap') log.warn(e, 'gap');
    else if (e.type === 'instance-released') log.info(e, 'instance released');
    else if (e.type === 'note') log.info(e, e.message);
    else if (e.type === 'recovered') log.warn(e, 'finished or discarded the commits a crashed run left');
    else if (e.type === 'budget-bound')
      log.warn(
        `${e.action} is held back by its budget of ${e.callsPerMinute} calls a minute per region: about ${e.callsLeft} calls left, ${minutes(e.etaMs)}; raise it with --budget ${e.action}=N if the account allows more`,
      );
    else if (e.type === 'slow-call')
      log.warn(`${e.action} in ${e.regionId} has not answered for ${e.waitedMs / 1000} s; still waiting`);
    else log.debug(e, e.type);
  };
}

/**
 * SIGINT and SIGTERM stop the run gracefully: what was read is committed and the lock released. The same
 * signal again stops the process at once (the next run takes the lock over and goes on).
 */
function stopOnSignals(log: Logger): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn(`${signal} again: stopping at once`);
      process.exit(signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    }
    log.warn(`${signal}: committing what was read, then stopping (${signal} again stops at once)`);
    stop.abort(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

function summary(r: CrawlReport): string {
  const calls = Object.entries(r.callsByAction)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${a}=${n}`)
    .join(' ');
  const lines = [
    `run ${r.runId} ${r.outcome}: ${r.instancesComplete}/${r.instancesTotal} instances complete, ${r.recordsNew} new and ${r.recordsChanged} changed invocations archived (${r.recordsSkipped} already held), ${r.commits} commit(s)`,
    `calls ${calls || 'none'}; ${r.throttles} throttled, ${r.retries} retried; ${((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)} s`,
  ];
  for (const i of r.incomplete)
    lines.push(`incomplete ${i.account}/${i.regionId}/${i.instanceId}: ${i.reason}`);
  const late = r.lateResults;
  if (late.fetched + late.expired + late.left > 0)
    lines.push(
      `results of invocations archived without them: ${late.fetched} fetched, ${late.expired} no longer held by the service (expired), ${late.left} left for the next run`,
    );
  for (const x of r.released) lines.push(`released ${x.account}/${x.regionId}/${x.instanceId}`);
  for (const g of r.gaps) {
    lines.push(
      `gap ${g.account}/${g.regionId}/${g.instanceId} (${g.gapReason}) from ${g.gapStart?.toISOString() ?? 'the beginning'} to ${g.gapEnd?.toISOString() ?? 'now'}: ${g.detail ?? ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function reportJson(r: CrawlReport): Record<string, unknown> {
  const { error, ...rest } = r;
  return {
    ...rest,
    ...(error
      ? { error: { code: (error as { code?: string }).code ?? error.name, message: error.message } }
      : {}),
  };
}
