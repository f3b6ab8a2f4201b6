import type { QuerySession } from '../query-session.js';
import type { ResultColumn } from '../result-column.js';
import { readCoverage } from './report-coverage.js';
import { type ReportOptions, resolveScope } from './report-options.js';
import { parseInstant, parseSpan } from './report-period.js';
import type { ReportResult } from './report-result.js';
import { IN_SCOPE, NOT_FINAL, OPEN_GAPS, scopeParams } from './report-sql.js';

/** Options of {@link stuck}. */
export interface StuckOptions extends ReportOptions {
  /** How long an invocation must have been non-final: `30m`, `1h`, `2d`, or milliseconds. @default '1h' */
  olderThan?: string | number;
  /**
   * The moment ages are measured at: a time (as for `since`), `now`, or unset for the end of the newest
   * run in the archive (what the archive knows as of then; now when it holds no run).
   */
  asOf?: Date | string;
}

/** An invocation whose latest observed status is not final, older than the threshold. */
export interface StuckRow {
  account: string;
  region_id: string;
  instance_id: string;
  invoke_id: string;
  command_name: string;
  command_type: string;
  /** `Pending`, `Running` or `Stopping`. */
  invocation_status: string;
  /** ISO-8601 UTC. */
  creation_time: string;
  /** When the archive last saw it (in that status). */
  last_observed_at: string;
  /** `as_of - creation_time`, as DuckDB writes an interval (`2 days 03:00:00`). */
  age: string;
  /** Whether its instance has an unresolved gap since it was created (its end may have been missed). */
  gap: boolean;
}

export interface StuckResult extends ReportResult<StuckRow> {
  /** The moment ages are measured at, ISO-8601 UTC. */
  asOf: string;
  /** Where `asOf` came from: the option, the newest run's end, or now (no run in the archive). */
  asOfBasis: 'given' | 'newest-run' | 'now';
  /** The threshold, in milliseconds. */
  olderThanMs: number;
}

export const STUCK_COLUMNS: ResultColumn[] = [
  { name: 'account', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'region_id', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'instance_id', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'invoke_id', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'command_name', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'command_type', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'invocation_status', sqlType: 'VARCHAR', kind: 'text' },
  { name: 'creation_time', sqlType: 'TIMESTAMP WITH TIME ZONE', kind: 'timestamp' },
  { name: 'last_observed_at', sqlType: 'TIMESTAMP WITH TIME ZONE', kind: 'timestamp' },
  { name: 'age', sqlType: 'INTERVAL', kind: 'text' },
  { name: 'gap', sqlType: 'BOOLEAN', kind: 'boolean' },
];

const sql = (source: string) => `WITH ${OPEN_GAPS}
  SELECT account, region_id, instance_id, invoke_id, command_name, command_type, invocation_status,
    creation_time, last_observed_at, $as_of - creation_time AS age,
    EXISTS (SELECT 1 FROM open_gaps o WHERE o.instance_id = i.instance_id AND o.account = i.account
      AND o.gap_to >= i.creation_time) AS gap
  FROM ${source} i
  WHERE ${IN_SCOPE} AND ${NOT_FINAL('invocation_status')} AND creation_time <= $cutoff
  ORDER BY creation_time, account, region_id, instance_id, invoke_id`;

/** The newest run's end, if the archive holds a finished run. */
const NEWEST_RUN = 'SELECT max(finished_at) AS at FROM runs';

/**
 * Invocations that were still `Pending`, `Running` or `Stopping` when last observed and were created more
 * than `olderThan` before `asOf`: commands that hang, or whose end the archive has not seen.
 */
export async function stuck(session: QuerySession, options: StuckOptions = {}): Promise<StuckResult> {
  const scope = resolveScope(options);
  const olderThanMs = parseSpan(options.olderThan ?? '1h', 'olderThan');
  let asOf: Date;
  let asOfBasis: StuckResult['asOfBasis'];
  if (options.asOf !== undefined) {
    asOf = parseInstant(options.asOf, scope.now, 'asOf');
    asOfBasis = 'given';
  } else {
    const newest = (await session.run(NEWEST_RUN)).rows[0]?.at;
    asOf = typeof newest === 'string' ? new Date(newest) : scope.now;
    asOfBasis = typeof newest === 'string' ? 'newest-run' : 'now';
  }
  await session.holdCoverage();
  const source = await session.periodSource(scope.since, scope.until);
  const { rows } = await session.run(sql(source), {
    ...scopeParams(scope),
    as_of: asOf,
    cutoff: new Date(asOf.getTime() - olderThanMs),
  });
  return {
    report: 'stuck',
    since: scope.since.toISOString(),
    until: scope.until.toISOString(),
    asOf: asOf.toISOString(),
    asOfBasis,
    olderThanMs,
    columns: STUCK_COLUMNS,
    rows: rows as unknown as StuckRow[],
    coverage: await readCoverage(session, scope),
  };
}
