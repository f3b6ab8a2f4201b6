import { join } from 'node:path';
import {
  cellText,
  type FailureRateResult,
  htmlReport,
  QuerySession,
  type ReportBucket,
  type ReportCoverage,
  type ReportGap,
  type ReportGroup,
  type SessionLimits,
  type UserValue,
} from '@swas-archive/query';
import { stringify } from 'csv-stringify/sync';
import { requireArchive, writeJobFile } from './job-files.js';
import { jobPeriod } from './job-period.js';

/** Options of {@link failureTrendsJob}. */
export interface FailureTrendsJobOptions {
  /** The archive's folder, absolute. */
  root: string;
  /** The folder the files go to (created when missing), absolute. */
  out: string;
  /** The report covers the `days` days before `until`. @default 30 */
  days?: number;
  /**
   * End of the period (exclusive): a `Date`, `2026-11-14` (that day included), an ISO time, or `now`.
   * @default 'now'
   */
  until?: Date | string;
  /** One failure-rate line (and CSV rows) per region, instance, command, … @default 'region' */
  group?: ReportGroup;
  /** Bucket length. @default 'day' */
  by?: ReportBucket;
  regions?: readonly string[];
  instances?: readonly string[];
  commands?: readonly string[];
  /** Final statuses that count as failures. @default every final status but Success */
  failureStatuses?: readonly string[];
  /** Rows of each "top failing" table of the page. @default 10 */
  limit?: number;
  /** DuckDB's memory and threads. @default 160MB, 1 thread */
  limits?: SessionLimits;
  /** What "now" is. @default new Date() */
  now?: Date;
}

/** What {@link failureTrendsJob} wrote. */
export interface FailureTrendsJobResult {
  /** The HTML page, `failure-trends-<day>.html`, absolute. */
  html: string;
  /** The failure rate per bucket and group as CSV, `failure-trends-<day>.csv`, absolute. */
  csv: string;
  /** The UTC day the files are named by: the period's last day. */
  day: string;
  /** The period, ISO-8601 UTC: creation times from `since` (inclusive) to `until` (exclusive). */
  since: string;
  until: string;
  /** Rows of the CSV (buckets × groups). */
  rows: number;
  coverage: ReportCoverage;
  /** Gaps overlapping the period that no later run covered: invocations may be missing from the figures. */
  unresolvedGaps: ReportGap[];
}

/** The page's title starts so (see the query package's HTML report): a file that holds it is one we made. */
const HTML_SIGNATURE = '<title>swas-archive report ';
/** The CSV's first column names it as ours. */
const CSV_SIGNATURE = 'period,group,total,failed,rate,not_final,gap';

/**
 * The failure-trends job: the HTML report of the last `days` days (failure-rate lines per region, the
 * status mix, the most failing commands and instances, the coverage with every gap) and the failure rate per
 * day and region as CSV, written into `out` as `failure-trends-<day>.html` and `.csv`, named by the
 * period's last UTC day. A rerun the same day replaces that day's files (and only files this job made).
 * A gap does not fail the job: the page, the CSV's `gap` column and the result say where it is.
 */
export async function failureTrendsJob(options: FailureTrendsJobOptions): Promise<FailureTrendsJobResult> {
  const now = options.now ?? new Date();
  const period = jobPeriod({ days: options.days ?? 30, until: options.until, untilDefault: 'now', now });
  await requireArchive(options.root);
  const session = await QuerySession.open(options.root, options.limits);
  try {
    const report = await htmlReport(session, {
      since: period.since,
      until: period.until,
      now,
      group: options.group ?? 'region',
      by: options.by ?? 'day',
      regions: options.regions,
      instances: options.instances,
      commands: options.commands,
      failureStatuses: options.failureStatuses,
      limit: options.limit,
    });
    const base = join(options.out, `failure-trends-${period.lastDay}`);
    const csv = `${base}.csv`;
    const html = `${base}.html`;
    await writeJobFile(csv, csvOf(report.failureRate), CSV_SIGNATURE);
    await writeJobFile(html, report.html, HTML_SIGNATURE);
    return {
      html,
      csv,
      day: period.lastDay,
      since: report.failureRate.since,
      until: report.failureRate.until,
      rows: report.failureRate.rows.length,
      coverage: report.coverage,
      unresolvedGaps: report.coverage.gaps.filter((g) => !g.resolved),
    };
  } finally {
    session.close();
  }
}

/** The failure-rate rows as CSV (RFC 4180), the header first; an empty field is NULL (a rate of no final invocation). */
function csvOf(result: FailureRateResult): string {
  const names = result.columns.map((c) => c.name);
  const rows = result.rows.map((row) =>
    names.map((n) => cellText(((row as unknown as Record<string, UserValue>)[n] ?? null) as UserValue)),
  );
  return stringify([names, ...rows], { record_delimiter: '\n' });
}
