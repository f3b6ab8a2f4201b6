import { readCatalog } from '@swas-archive/archive';
import { type UnarchivedRisk, unarchivedRisk } from '@swas-archive/crawler';
import { QuerySession } from '@swas-archive/query';

/** An instance whose newest records may not be archived yet, and since when. */
export interface InstanceAtRisk {
  account: string;
  regionId: string;
  instanceId: string;
  /** When a run last read the instance to its end (or first saw it, if none did yet). */
  since: string;
  /** How old its oldest record that may not be archived can be, ms. */
  ageMs: number;
}

/** Where an archive stands, from its own tables: what health checks and metrics read. */
export interface ArchiveStatus {
  /** The newest run, and the newest complete one. */
  lastRun?: { runId: string; startedAt: string; finishedAt?: string; outcome: string };
  lastCompleteRunAt?: string;
  /** Gaps no later run has covered. */
  openGaps: number;
  /**
   * The instances still listed, those whose unarchived records are oldest first: a record created just
   * after an instance was last read to its end is not archived yet, and is that old.
   */
  atRisk: InstanceAtRisk[];
  /**
   * From the crawl cursors: per instance the age of its oldest record that may not be archived, the records
   * not archived and those of them expiring within 24 h (by retention or the cap's rotation), oldest first.
   */
  unarchived: UnarchivedRisk;
}

/** How long the service keeps records: what decides when unarchived records expire. */
export interface RetentionSettings {
  /** @default 14 days */
  retentionMs?: number;
  /** @default 100000 */
  recordCap?: number;
  /** @default 'account' */
  capScope?: 'region' | 'account';
}

/** Reads where the archive at `root` stands as of `now` (a read-only session; no lock). */
export async function archiveStatus(
  root: string,
  now: Date,
  retention: RetentionSettings = {},
): Promise<ArchiveStatus> {
  const catalog = await readCatalog(root);
  const session = await QuerySession.open(root);
  try {
    const last = (
      await session.run(
        `SELECT run_id, started_at, finished_at, outcome FROM runs ORDER BY started_at DESC LIMIT 1`,
      )
    ).rows[0];
    const complete = (await session.run(`SELECT max(finished_at) AS at FROM runs WHERE outcome = 'complete'`))
      .rows[0]?.at;
    const gaps = (await session.run('SELECT count(*) AS n FROM gaps WHERE NOT resolved')).rows[0]?.n;
    const atRisk = await session.run(
      `WITH listed AS (
          SELECT account, region_id, instance_id, min(observed_at) AS first_seen FROM instances GROUP BY ALL
        ), current AS (
          SELECT account, region_id, instance_id FROM instances_latest WHERE released_at IS NULL
        ), read AS (
          SELECT account, region_id, instance_id, max(observed_at) AS at FROM coverage WHERE complete GROUP BY ALL
        )
        SELECT c.account, c.region_id, c.instance_id, coalesce(r.at, l.first_seen) AS since
        FROM current c JOIN listed l USING (account, region_id, instance_id)
        LEFT JOIN read r USING (account, region_id, instance_id)
        ORDER BY since, c.account, c.region_id, c.instance_id`,
    );
    const listed = atRisk.rows.map((r) => ({
      account: String(r.account),
      regionId: String(r.region_id),
      instanceId: String(r.instance_id),
    }));
    const unarchived = unarchivedRisk(catalog.cursors, {
      now: now.getTime(),
      retentionMs: retention.retentionMs ?? 14 * 86_400_000,
      recordCap: retention.recordCap ?? 100_000,
      capScope: retention.capScope ?? 'account',
      listed,
    });
    return {
      unarchived,
      lastRun: last
        ? {
            runId: String(last.run_id),
            startedAt: String(last.started_at),
            finishedAt: last.finished_at === null ? undefined : String(last.finished_at),
            outcome: String(last.outcome),
          }
        : undefined,
      lastCompleteRunAt: typeof complete === 'string' ? complete : undefined,
      openGaps: Number(gaps ?? 0),
      atRisk: atRisk.rows.map((r) => ({
        account: String(r.account),
        regionId: String(r.region_id),
        instanceId: String(r.instance_id),
        since: String(r.since),
        ageMs: Math.max(0, now.getTime() - Date.parse(String(r.since))),
      })),
    };
  } finally {
    session.close();
  }
}
