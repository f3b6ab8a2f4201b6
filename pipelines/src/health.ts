import { type ArchiveStatus, archiveStatus } from './archive-status.js';

/** What makes an archive unhealthy. */
export interface HealthOptions {
  /** The last complete run may be at most this old, ms. @default 24 hours */
  maxAgeMs?: number;
  /** The oldest record that may not be archived yet may be at most this share of the retention old. @default 0.5 */
  maxAtRiskRatio?: number;
  /** The service's retention, ms. @default 14 days */
  retentionMs?: number;
}

/** The verdict of {@link checkHealth}. */
export interface HealthResult {
  healthy: boolean;
  /** One line per problem, most urgent first; none when healthy. */
  problems: string[];
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
  const status = await archiveStatus(root, now);
  const problems: string[] = [];
  const oldest = status.atRisk[0];
  if (oldest && oldest.ageMs > maxRatio * retentionMs) {
    problems.push(
      `records of ${oldest.account}/${oldest.regionId}/${oldest.instanceId} may have waited unarchived for ${span(oldest.ageMs)}, ${(oldest.ageMs / retentionMs).toFixed(2)} of the ${span(retentionMs)} retention (limit ${maxRatio}): runs are too rare or cannot reach it`,
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
  return { healthy: problems.length === 0, problems, status };
}

/** A duration for people: `36 h`, `9.5 days`, `12 min`. */
function span(ms: number): string {
  if (ms >= 2 * DAY) return `${(ms / DAY).toFixed(1)} days`;
  if (ms >= 2 * HOUR) return `${Math.round(ms / HOUR)} h`;
  return `${Math.round(ms / 60_000)} min`;
}
