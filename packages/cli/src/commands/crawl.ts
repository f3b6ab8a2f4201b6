import { openArchive } from '@swas-archive/archive';
import { createSwasClient } from '@swas-archive/client';
import { ACTIONS, type Action, type CrawlAccount, type CrawlReport, crawl } from '@swas-archive/crawler';
import { EXIT, exitStatusOf, UsageError } from '../exit-codes.js';
import type { CommandIo } from '../io.js';
import { createLogger, type LogFormat } from '../logger.js';
import { dataDir } from '../parse-flags.js';

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
  retentionDays: number;
  timeoutMs?: number;
  json: boolean;
  logLevel: string;
  logFormat: LogFormat;
}

/** `swas-archive crawl`: archives what the API holds into the archive folder. */
export async function crawlCommand(flags: CrawlFlags, io: CommandIo): Promise<number> {
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
  const client = (profile?: string) =>
    createSwasClient({ endpoint: flags.endpoint, profile, timeoutMs: flags.timeoutMs });
  const accounts: CrawlAccount[] = flags.profile?.length
    ? flags.profile.map((p) => ({ name: p, api: client(p) }))
    : [{ name: flags.account, api: client() }];
  const root = dataDir(flags.data, io.env);
  const archive = await openArchive({ root });
  let report: CrawlReport;
  try {
    const { completed, discarded } = archive.recovery;
    if (completed.length > 0)
      log.warn({ snapshots: completed }, 'finished commits a crashed run had left half-applied');
    if (discarded.filter((d) => d !== 'duckdb-spill').length > 0)
      log.warn({ staging: discarded }, 'removed the uncommitted staging of a crashed run');
    log.info({ archive: archive.root, accounts: accounts.map((a) => a.name) }, 'crawl started');
    report = await crawl({
      accounts,
      archive,
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
      retentionMs: flags.retentionDays * 86_400_000,
      onProgress: (p) =>
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
        ),
      onEvent: (e) => {
        if (e.type === 'instance-failed') log.warn(e, 'instance incomplete');
        else if (e.type === 'gap') log.warn(e, 'gap');
        else if (e.type === 'instance-released') log.info(e, 'instance released');
        else if (e.type === 'note') log.info(e, e.message);
        else log.debug(e, e.type);
      },
    });
  } finally {
    await archive.close();
  }
  io.stdout.write(flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : summary(report));
  if (report.error) {
    log.error({ code: (report.error as { code?: string }).code }, report.error.message);
    return exitStatusOf(report.error);
  }
  return report.outcome === 'complete' ? EXIT.ok : EXIT.partial;
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
