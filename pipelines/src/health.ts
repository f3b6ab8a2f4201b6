import { type ArchiveStatus, archiveStatus, type RetentionSettings } from './archive-status.js';

/** What makes an archive unhealthy. */
export interface HealthOptions extends RetentionSettings {
  /** The last complete run may be at most this old, ms. @default 24 hours */
  maxAgeMs?: number;
  /** The oldest record that may not be archived yet may be at most this share of the retention old. @default 0.5 */
  maxAtRiskRatio?: number;
  /**
   * Records that expire within 24 h unarchived may be at most this many. @default 0: any such record is a
   * loss the next day unless a run reaches it first (fleets whose cap rotates records within about a day
   * always have some: set it to about a run's arrivals there).
   */
  maxRecordsAtRisk?: number;
}

/** The verdict of {@link checkHealth}. */
export interface HealthResult {
  healthy: boolean;
  /** One line per problem, most urgent first; none when healthy. */
  problems: string[];
  /** Age of the oldest record that may not be archived yet, ms, and as a share of the retention. */
  oldestUnarchivedAgeMs: number;
  oldestUnarchivedRetentionRatio: number;
  /** Records estimated not archived that expire within 24 h (retention or cap rotation). */
  recordsAtRisk24h: number;
  status: ArchiveStatus;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Whether archival is keeping up, from the archive alone (for a scheduler's check or an alert): the last
 * complete run is recent, no gap is open, and no instance's newest records have waited unarchived for a
 * large share of the retention.
 */
export async function checkHealth(
  root: string,
  now: Date,
  options: HealthOptions = {},
): Promise<HealthResult> {
  const maxAgeMs = options.maxAgeMs ?? DAY;
  const maxRatio = options.maxAtRiskRatio ?? 0.5;
  const retentionMs = options.retentionMs ?? 14 * DAY;
  const status = await archiveStatus(root, now, { ...options, retentionMs });
  const problems: string[] = [];
  const oldest = oldestUnarchived(status);
  if (oldest && oldest.ageMs > maxRatio * retentionMs) {
    problems.push(
      `records of ${oldest.account}/${oldest.regionId}/${oldest.instanceId} may have waited unarchived for ${span(oldest.ageMs)}, ${(oldest.ageMs / retentionMs).toFixed(2)} of the ${span(retentionMs)} retention (limit ${maxRatio}): runs are too rare or cannot reach it`,
    );
  }
  const atRisk = status.unarchived.instances.filter((i) => i.atRisk >= 0.5);
  const total = Math.round(atRisk.reduce((n, i) => n + i.atRisk, 0));
  if (total > (options.maxRecordsAtRisk ?? 0)) {
    const first = atRisk.sort((a, b) => b.atRisk - a.atRisk)[0];
    problems.push(
      `about ${total} record(s) not archived expire within 24 h (limit ${options.maxRecordsAtRisk ?? 0}), ${Math.round(first?.atRisk ?? 0)} of them on ${first?.account}/${first?.regionId}/${first?.instanceId}: run the archive job now, and raise its budget or run it more often (\`swas-archive plan\`)`,
    );
  }
  if (!status.lastCompleteRunAt) {
    problems.push(
      'no run has completed yet: run `swas-archive crawl` (or the archive job) and look at its exit status',
    );
  } else {
    const age = now.getTime() - Date.parse(status.lastCompleteRunAt);
    if (age > maxAgeMs)
      problems.push(
        `the last complete run ended ${span(age)} ago (${status.lastCompleteRunAt}), more than ${span(maxAgeMs)}: archival has stopped or keeps failing`,
      );
  }
  if (status.openGaps > 0)
    problems.push(
      `${status.openGaps} open gap(s): records may have been lost (\`swas-archive gaps\` lists them)`,
    );
  const ageMs = oldest?.ageMs ?? 0;
  return {
    healthy: problems.length === 0,
    problems,
    ...{ oldestUnarchivedAgeMs: ageMs, oldestUnarchivedRetentionRatio: ageMs / retentionMs },
    recordsAtRisk24h: total,
    status,
  };
}

/** The oldest record that may not be archived: by the cursors, or since an instance was last read. */
function oldestUnarchived(
  status: ArchiveStatus,
): { account: string; regionId: string; instanceId: string; ageMs: number } | undefined {
  const byCursor = status.unarchived.instances.find((i) => !i.neverArchived);
  const bySince = status.atRisk[0];
  if (!byCursor) return bySince;
  const cursorAge = { ...byCursor, ageMs: byCursor.oldestAgeMs };
  return !bySince || cursorAge.ageMs >= bySince.ageMs ? cursorAge : bySince;
}

/** The figures of a verdict in one line: how old the oldest unarchived record is, and how many expire. */
export function healthFigures(result: HealthResult): string {
  return `oldest record not archived ${span(result.oldestUnarchivedAgeMs)} old (${result.oldestUnarchivedRetentionRatio.toFixed(2)} of the retention), ${result.recordsAtRisk24h} record(s) not archived expire within 24 h`;
}

/** A duration for people: `36 h`, `9.5 days`, `12 min`. */
function span(ms: number): string {
  if (ms >= 2 * DAY) return `${(ms / DAY).toFixed(1)} days`;
  if (ms >= 2 * HOUR) return `${Math.round(ms / HOUR)} h`;
  return `${Math.round(ms / 60_000)} min`;
}
