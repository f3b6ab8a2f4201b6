import type { Action } from './budget-registry.js';
import { recordLifetimeMs } from './deadline-schedule.js';
import { PAGE_SIZE } from './page-reader.js';

const MINUTE = 60_000;
/** Instances per `ListInstances` page. */
const LIST_PAGE = 100;

/** One instance as `plan` sees it: its arrival rate, and since when its records may be unarchived. */
export interface PlannedInstance {
  account: string;
  regionId: string;
  instanceId: string;
  /** New records a minute. */
  ratePerMinute: number;
  /** Creation time from which records may not be archived yet (epoch ms); undefined: never archived. */
  unarchivedSince?: number;
  /**
   * Nothing of it archived yet (never walked, or found empty): the crawler walks it every run, since no
   * archived record of it could show later what vanished unseen.
   */
  walkedEveryRun?: boolean;
  /**
   * Its listing is oldest first (as the crawler's cursor last saw it): a visit that finds new records reads
   * the archived edge's old page and then the last page before reading back, a call more than newest-first.
   */
  oldestFirst?: boolean;
}

/** What `planBudgets` weighs. */
export interface BudgetPlanInputs {
  instances: readonly PlannedInstance[];
  retentionMs: number;
  recordCap: number;
  capScope: 'region' | 'account';
  /** How often runs start, ms. */
  runEveryMs: number;
  /** Longest a run may take, ms (capped at `runEveryMs`: runs do not overlap). @default `runEveryMs` */
  maxDurationMs?: number;
  withResults: boolean;
  /** Calls per minute allowed for one (account, region, action). */
  budget: (account: string, regionId: string, action: Action) => number;
  now: number;
}

/** The planned actions: those whose minimum depends on the fleet. */
export type PlannedAction = 'DescribeInvocations' | 'ListInstances' | 'DescribeInvocationResult';

/** One region of one account: can its budgets keep up? */
export interface RegionBudgetPlan {
  account: string;
  regionId: string;
  instances: number;
  /** Instances with more than a page of new records a run. */
  busy: number;
  arrivalsPerMinute: number;
  /** How long a record lives: the retention, or less when the cap rotates faster. */
  lifetimeMs: number;
  /** Calls a minute each action needs at least (0 when it needs none). */
  minimum: Record<PlannedAction, number>;
  budget: Record<PlannedAction, number>;
  /** The smallest budget ÷ minimum over the actions: ≥ 1 keeps up, 1.2 is 20% to spare. */
  headroom: number;
  /** What makes archival lose records whatever the budget (runs too rare for the lifetime). */
  problems: string[];
}

/** An instance, by the time left before its oldest record that may be unarchived expires. */
export interface InstanceRisk {
  account: string;
  regionId: string;
  instanceId: string;
  ratePerMinute: number;
  /** When that record expires, epoch ms (−∞ for an instance never archived). */
  deadline: number;
}

/** The verdict of {@link planBudgets}. */
export interface BudgetPlan {
  keepsUp: boolean;
  /** The smallest headroom of any region. */
  headroom: number;
  regions: RegionBudgetPlan[];
  /** Every instance, nearest deadline first. */
  atRisk: InstanceRisk[];
}

/**
 * Whether the budgets keep up with the fleet under the schedule, and the least budget that does, per
 * region and action (see the README's "minimum budget" for the derivation).
 */
export function planBudgets(inputs: BudgetPlanInputs): BudgetPlan {
  const groups = new Map<string, PlannedInstance[]>();
  for (const i of inputs.instances) {
    const key = `${i.account}\u0000${i.regionId}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const capRate = (i: PlannedInstance) =>
    inputs.instances
      .filter((o) => o.account === i.account && (inputs.capScope === 'account' || o.regionId === i.regionId))
      .reduce((s, o) => s + o.ratePerMinute, 0);
  const regions: RegionBudgetPlan[] = [];
  const atRisk: InstanceRisk[] = [];
  for (const members of groups.values()) {
    const first = members[0] as PlannedInstance;
    const lifetimeMs = recordLifetimeMs(capRate(first), inputs.retentionMs, inputs.recordCap);
    regions.push(regionPlan(first.account, first.regionId, members, lifetimeMs, inputs));
    for (const i of members)
      atRisk.push({
        ...{ account: i.account, regionId: i.regionId, instanceId: i.instanceId },
        ratePerMinute: i.ratePerMinute,
        deadline: (i.unarchivedSince ?? Number.NEGATIVE_INFINITY) + lifetimeMs,
      });
  }
  atRisk.sort((a, b) => a.deadline - b.deadline || b.ratePerMinute - a.ratePerMinute);
  const headroom = Math.min(Number.POSITIVE_INFINITY, ...regions.map((r) => r.headroom));
  return {
    keepsUp: regions.every((r) => r.headroom >= 1 && r.problems.length === 0),
    headroom,
    regions,
    atRisk,
  };
}

/**
 * `ListInstances` calls of one run in a region of `instances`: one page, or, over several pages, at least two
 * listings (a run lists again until two listings agree, see the crawler's `listInstances`).
 */
function listingCalls(instances: number): number {
  const pages = Math.ceil(instances / LIST_PAGE);
  return pages <= 1 ? pages : 2 * pages;
}

function regionPlan(
  account: string,
  regionId: string,
  members: readonly PlannedInstance[],
  lifetimeMs: number,
  inputs: BudgetPlanInputs,
): RegionBudgetPlan {
  const everyMin = inputs.runEveryMs / MINUTE;
  const durationMin = Math.min(inputs.maxDurationMs ?? inputs.runEveryMs, inputs.runEveryMs) / MINUTE;
  const rates = members.map((m) => m.ratePerMinute);
  const arrivals = rates.reduce((s, a) => s + a, 0);
  const minimum: Record<PlannedAction, number> = {
    DescribeInvocations: minimumPagingBudget(
      rates,
      lifetimeMs / MINUTE,
      everyMin,
      durationMin,
      members.map((m) => m.walkedEveryRun === true),
      members.map((m) => m.oldestFirst === true),
    ),
    ListInstances: listingCalls(members.length) / durationMin,
    DescribeInvocationResult: inputs.withResults ? arrivals / (durationMin / everyMin) : 0,
  };
  const budget = {} as Record<PlannedAction, number>;
  let headroom = Number.POSITIVE_INFINITY;
  for (const action of Object.keys(minimum) as PlannedAction[]) {
    budget[action] = inputs.budget(account, regionId, action);
    if (minimum[action] > 0) headroom = Math.min(headroom, budget[action] / minimum[action]);
  }
  const problems: string[] = [];
  if (everyMin + durationMin >= lifetimeMs / MINUTE)
    problems.push(
      `a record lives ${hours(lifetimeMs / MINUTE)} here, but runs every ${hours(everyMin)} taking up to ${hours(durationMin)} may reach it later: run more often`,
    );
  return {
    ...{ account, regionId, instances: members.length },
    busy: rates.filter((a) => a * everyMin > PAGE_SIZE).length,
    ...{ arrivalsPerMinute: arrivals, lifetimeMs, minimum, budget, headroom, problems },
  };
}

const hours = (minutes: number) => `${(minutes / 60).toFixed(minutes < 600 ? 1 : 0)} h`;

/**
 * The least `DescribeInvocations` calls a minute that keep up with instances receiving `rates` records a
 * minute, records living `lifetimeMin`, runs every `everyMin` taking up to `durationMin`:
 *
 *   Σ_i [ c_i / (P_i · B) + a_i / (50·B − a_i) ] ≤ d,   d = durationMin / everyMin
 *
 * Walked at B calls a minute, an instance receiving a_i a minute shifts each page by a_i / B records, so
 * a call yields 50 − a_i / B unseen ones: its new records take a_i / (50·B − a_i) of the crawling time
 * (busy instances walked one at a time, so no walk shares the pace). Each visit costs one call more (the
 * page that reaches the archived edge: c_i = 1), two for an oldest-first listing (`oldestFirst`) that
 * finds new records on the visit (a_i · P_i ≥ 1): it reads the edge's old page, then the last page, and
 * reads back from there. Read back, an oldest-first listing drifts by what expires from its front, as
 * many records as arrive once the cap or the retention rotates it: the same a_i / B a call. Busy instances,
 * and those with nothing archived yet
 * (`everyRun`), are visited every run (P_i = everyMin), quiet ones only as often as their oldest
 * unarchived record needs (P_i = everyMin × ⌈(lifetime − 2·every − duration) / every⌉, at least one run).
 * Crawling happens only during runs: a share d of the time.
 * Returns Infinity when no budget keeps up (the left side never drops below d).
 */
export function minimumPagingBudget(
  rates: readonly number[],
  lifetimeMin: number,
  everyMin: number,
  durationMin: number,
  everyRun: readonly boolean[] = [],
  oldestFirst: readonly boolean[] = [],
): number {
  if (rates.length === 0) return 0;
  const duty = durationMin / everyMin;
  const quietPeriod =
    everyMin * Math.max(1, Math.ceil((lifetimeMin - 2 * everyMin - durationMin) / everyMin));
  const periods = rates.map((a, i) => (a * everyMin > PAGE_SIZE || everyRun[i] ? everyMin : quietPeriod));
  const visitCalls = rates.map((a, i) => (oldestFirst[i] && a * (periods[i] as number) >= 1 ? 2 : 1));
  const load = (b: number) => {
    let sum = 0;
    rates.forEach((a, i) => {
      sum += (visitCalls[i] as number) / ((periods[i] as number) * b) + a / (PAGE_SIZE * b - a);
    });
    return sum;
  };
  let low = Math.max(0, ...rates) / PAGE_SIZE;
  let high = Math.max(1, low * 2);
  for (let i = 0; load(high) > duty; i++) {
    if (i > 60) return Number.POSITIVE_INFINITY;
    high *= 2;
  }
  // The load falls as the budget grows: bisect to a relative precision of 1e-6.
  while (high - low > high * 1e-6) {
    const mid = (low + high) / 2;
    if (load(mid) > duty) low = mid;
    else high = mid;
  }
  return high;
}
