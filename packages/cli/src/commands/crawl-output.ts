import type { CrawlReport } from '@swas-archive/crawler';
import type { ArchiveJobEvent } from '@swas-archive/pipelines';
import type { Logger } from 'pino';

/** About how long, for people: `about 4 min`, `under a minute`, `about 2 h`. */
function minutes(ms: number): string {
  if (ms < 60_000) return 'under a minute';
  if (ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min`;
  return `about ${(ms / 3_600_000).toFixed(1)} h`;
}

/** Log lines for the job's events: the first retry of each kind says at once what is being retried and why. */
export function crawlEventLogger(log: Logger): (e: ArchiveJobEvent) => void {
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
    else if (e.type === 'lock-taken-over')
      log.warn(
        `took over the archive's lock from process ${e.from.pid} on ${e.from.host} (holding it since ${e.from.since}), which is no longer running`,
      );
    else if (e.type === 'budget-bound')
      log.warn(
        `${e.action} is held back by its budget of ${e.callsPerMinute} calls a minute per region: about ${e.callsLeft} calls left, ${minutes(e.etaMs)}; raise it with --budget ${e.action}=N if the account allows more`,
      );
    else if (e.type === 'slow-call')
      log.warn(`${e.action} in ${e.regionId} has not answered for ${e.waitedMs / 1000} s; still waiting`);
    else log.debug(e, e.type);
  };
}

/** The run's report for people: one line of totals, one of calls, then each incomplete instance and gap. */
export function summary(r: CrawlReport): string {
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

/** The run's report for machines, with the error as its code and message. */
export function reportJson(r: CrawlReport): Record<string, unknown> {
  const { error, ...rest } = r;
  return {
    ...rest,
    ...(error
      ? { error: { code: (error as { code?: string }).code ?? error.name, message: error.message } }
      : {}),
  };
}
