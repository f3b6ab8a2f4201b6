import type { Action } from '@swas-archive/crawler';
import {
  type ArchiveJobOptions,
  type ArchiveJobResult,
  archiveJob,
  durationMs,
  type LoadedConfig,
} from '@swas-archive/pipelines';
import { archiveLocationOf, findConfig, pathFromConfig } from '../config-file.js';
import { EXIT, exitStatusOf } from '../exit-codes.js';
import type { CommandIo } from '../io.js';
import { createLogger } from '../logger.js';
import { userPath } from '../parse-flags.js';
import { progressView } from '../progress-view.js';
import { shardFromConfig } from '../shard-flag.js';
import { durationFlag, redactionOf } from './archive-config.js';
import { type ArchiveFlags, checkBudgetFlags } from './archive-flags.js';
import { crawlEventLogger, reportJson, summary } from './crawl-output.js';
import { stopOnSignals } from './stop-on-signals.js';

export { type ArchiveFlags, addArchiveFlags } from './archive-flags.js';

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
