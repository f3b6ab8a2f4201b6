import { ACTIONS, type Action } from '@swas-archive/crawler';
import {
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
  CONFIG_FILE,
  configPath,
  durationMs,
  type LoadedConfig,
  loadConfig,
} from '@swas-archive/pipelines';
import { ConfigUsageError, EXIT, exitStatusOf, UsageError } from '../exit-codes.js';
import type { CommandIo } from '../io.js';
import { createLogger } from '../logger.js';
import { userPath } from '../parse-flags.js';
import { progressView } from '../progress-view.js';
import type { ArchiveFlags } from './archive-flags.js';
import { crawlEventLogger, reportJson, summary } from './crawl-output.js';
import { stopOnSignals } from './stop-on-signals.js';

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
  const loaded = await findConfig(flags, io.env);
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

/** The config file named by `--config`, else `swas-archive.config.json` where the user runs the command, if any. */
async function findConfig(flags: ArchiveFlags, env: NodeJS.ProcessEnv): Promise<LoadedConfig | undefined> {
  if (flags.config) return loadConfig(userPath(flags.config, env));
  const here = userPath(CONFIG_FILE, env);
  return loadConfig(here).catch((error: unknown) => {
    // No file there is the usual case; a file there that cannot be used is an error.
    if ((error as { message?: string }).message?.startsWith('no config file')) return undefined;
    throw error;
  });
}

/** The job's options: the flags given, else the config file, else the defaults. */
function jobOptions(
  flags: ArchiveFlags,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): Omit<ArchiveJobOptions, 'onProgress' | 'onEvent' | 'signal'> {
  const c = loaded?.config ?? {};
  const fromConfig = (path: string | undefined) => (path && loaded ? configPath(loaded, path) : undefined);
  const root =
    (flags.data ? userPath(flags.data, env) : undefined) ??
    (env.SWAS_ARCHIVE_DATA ? userPath(env.SWAS_ARCHIVE_DATA, env) : undefined) ??
    fromConfig(c.archive) ??
    userPath('data/archive', env);
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
    accounts,
    endpoint: flags.endpoint ?? c.endpoint,
    timeoutMs: flags.timeoutMs,
    ...(flags.retries ? { retry: { attempts: flags.retries } } : {}),
    regions: flags.regions ?? c.regions,
    instances: flags.instances ?? c.instances,
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
    redaction: redactionOf(loaded, env),
    compactAbove: c.compaction?.above,
    metricsFile: flags.metricsFile ? userPath(flags.metricsFile, env) : fromConfig(c.metricsFile),
  };
}

/** The config's redaction policy, its HMAC key read from the environment variable it names. */
function redactionOf(
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): ArchiveJobOptions['redaction'] {
  const r = loaded?.config.redaction;
  if (!r) return undefined;
  const { hmacKeyEnv, ...policy } = r;
  if (!hmacKeyEnv) return policy;
  const hmacKey = env[hmacKeyEnv];
  if (!hmacKey)
    throw new ConfigUsageError(
      `config ${loaded.path}: redaction.hmacKeyEnv names ${hmacKeyEnv}, which is not set: export ${hmacKeyEnv}=<a key of at least 16 characters>`,
    );
  return { ...policy, hmacKey };
}
