import {
  type Action,
  type BudgetOptions,
  type BudgetPlan,
  cursorKey,
  DEFAULT_BUDGETS,
  type PlannedInstance,
  planBudgets,
} from '@swas-archive/crawler';
import { QuerySession } from '@swas-archive/query';

const HOUR = 3_600_000;

/** Options of {@link planArchive}. */
export interface PlanOptions {
  /** The archive's folder. */
  root: string;
  /** @default now */
  now?: Date;
  /** @default 14 days */
  retentionMs?: number;
  /** @default 100000 */
  recordCap?: number;
  /** @default 'account' */
  capScope?: 'region' | 'account';
  /** How often the archive job runs, ms. */
  runEveryMs: number;
  /** Longest a run may take, ms. @default `runEveryMs` */
  maxDurationMs?: number;
  withResults?: boolean;
  /** The budgets the job runs with, as `archiveJob` takes them. @default `DEFAULT_BUDGETS` */
  budgets?: BudgetOptions;
}

/**
 * Whether archival keeps up with the fleet as the archive last saw it: the instances still listed, each
 * one's arrival rate (records created over the time its walks covered, a retention at most), and since when
 * its records may be unarchived (its last walk to the end), weighed by `planBudgets` against the budgets
 * and the schedule. Reads the archive only (no lock, no API call).
 */
export async function planArchive(options: PlanOptions): Promise<BudgetPlan> {
  const now = options.now ?? new Date();
  const retentionMs = options.retentionMs ?? 14 * 24 * HOUR;
  const instances = await fleetAsSeen(options.root, retentionMs);
  return planBudgets({
    instances,
    retentionMs,
    recordCap: options.recordCap ?? 100_000,
    capScope: options.capScope ?? 'account',
    runEveryMs: options.runEveryMs,
    maxDurationMs: options.maxDurationMs,
    withResults: options.withResults ?? false,
    budget: budgetOf(options.budgets ?? {}),
    now: now.getTime(),
  });
}

/** Calls a minute for one (account, region, action), as the crawler resolves its budget options. */
export function budgetOf(
  budgets: BudgetOptions,
): (account: string, regionId: string, action: Action) => number {
  const perMinute = 60_000 / (budgets.windowMs ?? 60_000);
  return (account, _regionId, action) =>
    (budgets.accounts?.[account]?.callsPerMinute?.[action] ??
      budgets.callsPerMinute?.[action] ??
      DEFAULT_BUDGETS[action].callsPerMinute) * perMinute;
}

/**
 * The listed instances with their arrival rates: the records created after the instance was first walked
 * (within a retention of its last walk to the end, when all of them were held) over that time; an instance
 * walked only once is measured over the records it held then, from the oldest.
 */
async function fleetAsSeen(root: string, retentionMs: number): Promise<PlannedInstance[]> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run(
      `WITH walks AS (
          SELECT account, region_id, instance_id, min(observed_at) AS first_at,
            max(observed_at) FILTER (WHERE complete) AS last_at
          FROM coverage GROUP BY ALL
        ), current AS (
          SELECT account, region_id, instance_id FROM instances_latest WHERE released_at IS NULL
        ), spans AS (
          SELECT c.*, w.last_at,
            greatest(w.first_at, w.last_at - to_milliseconds($retention)) AS since
          FROM current c LEFT JOIN walks w USING (account, region_id, instance_id)
        ), counted AS (
          SELECT account, region_id, instance_id, count(DISTINCT invoke_id) AS n, min(creation_time) AS oldest
          FROM invocation_observations o JOIN spans s USING (account, region_id, instance_id)
          WHERE o.creation_time <= s.last_at
          GROUP BY ALL
        ), recent AS (
          SELECT account, region_id, instance_id, count(DISTINCT invoke_id) AS n
          FROM invocation_observations o JOIN spans s USING (account, region_id, instance_id)
          WHERE o.creation_time > s.since AND o.creation_time <= s.last_at
          GROUP BY ALL
        )
        SELECT s.account, s.region_id, s.instance_id, epoch_ms(s.last_at) AS last_ms, epoch_ms(s.since) AS since_ms,
          coalesce(r.n, 0) AS recent, coalesce(k.n, 0) AS total, epoch_ms(k.oldest) AS oldest_ms
        FROM spans s LEFT JOIN recent r USING (account, region_id, instance_id)
        LEFT JOIN counted k USING (account, region_id, instance_id)
        ORDER BY s.account, s.region_id, s.instance_id`,
      { retention: retentionMs },
    );
    return rows.map((r) => {
      const last = r.last_ms === null ? undefined : Number(r.last_ms);
      const since = Number(r.since_ms ?? 0);
      const measured = last !== undefined && last - since >= HOUR;
      const rate = measured
        ? Number(r.recent) / ((last - since) / 60_000)
        : Number(r.total) / Math.max(1, ((last ?? 0) - Number(r.oldest_ms ?? last ?? 0)) / 60_000);
      return {
        account: String(r.account),
        regionId: String(r.region_id),
        instanceId: String(r.instance_id),
        ratePerMinute: rate,
        unarchivedSince: last,
        walkedEveryRun: Number(r.total) === 0,
        oldestFirst:
          orderOf(session, String(r.account), String(r.region_id), String(r.instance_id)) === 'oldest-first',
      };
    });
  } finally {
    session.close();
  }
}

/** The listing order the crawler's cursor of the instance last saw, if any. */
function orderOf(session: QuerySession, account: string, regionId: string, instanceId: string): unknown {
  const cursor = session.catalog.cursors[cursorKey({ account, regionId, instanceId })];
  return (cursor as { order?: unknown } | undefined)?.order;
}
