import type { Clock } from './clock.js';
import { CrawlConfigurationError } from './errors.js';
import { type BudgetLimits, MINUTE, RateBudget } from './rate-budget.js';

/** The API actions the crawler calls, each with its own budget. */
export const ACTIONS = [
  'ListRegions',
  'ListInstances',
  'DescribeInvocations',
  'DescribeInvocationResult',
] as const;
/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/**
 * Conservative defaults, per (account, region, action): Alibaba Cloud's published per-user limits for
 * SWAS instance actions are as low as 10 calls a minute, the limits of the invocation actions are not
 * published, and other automation shares the account's budget. Raise them with `--budget Action=N` once
 * the account's real limits are known.
 */
export const DEFAULT_BUDGETS: Readonly<Record<Action, BudgetLimits>> = {
  ListRegions: { callsPerMinute: 10, inFlight: 1 },
  ListInstances: { callsPerMinute: 30, inFlight: 2 },
  DescribeInvocations: { callsPerMinute: 120, inFlight: 4 },
  DescribeInvocationResult: { callsPerMinute: 120, inFlight: 4 },
};

/** Limits per action, for the actions named; the others keep theirs. */
export interface BudgetTable {
  /** Calls per minute per (account, region) for named actions. @default {@link DEFAULT_BUDGETS} */
  callsPerMinute?: Partial<Record<Action, number>>;
  /** Calls in flight per (account, region) for named actions. @default {@link DEFAULT_BUDGETS} */
  inFlight?: Partial<Record<Action, number>>;
}

/** Budget settings of a crawl. */
export interface BudgetOptions extends BudgetTable {
  /**
   * Extra length of the sliding window, so that latency jitter cannot make the server see more than the
   * budget in its 60 seconds. @default 1000
   */
  safetyMs?: number;
  /**
   * Length of the budget window. Alibaba Cloud counts calls per minute; a shorter window is for tests and
   * for services that count differently. @default 60000
   */
  windowMs?: number;
  /** Per-account overrides, by account name. @default none */
  accounts?: Readonly<Record<string, BudgetTable>>;
}

/** Budget options once checked, with their defaults. */
export interface ResolvedBudgets extends BudgetTable {
  safetyMs: number;
  windowMs: number;
  accounts: Readonly<Record<string, BudgetTable>>;
}

/** How one budget is doing (see `BudgetRegistry.pressure`). */
export interface BudgetPressure {
  account: string;
  regionId: string;
  action: Action;
  callsPerMinute: number;
  /** The pace now (lower than `callsPerMinute` while recovering from throttling). */
  rate: number;
  calls: number;
  throttles: number;
  waitedMs: number;
}

/** One {@link RateBudget} per (account, region, action), created on first use. */
export class BudgetRegistry {
  readonly #budgets = new Map<string, { action: Action; budget: RateBudget }>();

  constructor(
    private readonly options: ResolvedBudgets,
    private readonly clock: Clock,
  ) {}

  /** The budget of one (account, region, action). */
  get(account: string, regionId: string, action: Action): RateBudget {
    const key = `${account}\n${regionId}\n${action}`;
    let entry = this.#budgets.get(key);
    if (!entry) {
      const { safetyMs, windowMs } = this.options;
      const budget = new RateBudget(this.limits(account, action), { clock: this.clock, safetyMs, windowMs });
      entry = { action, budget };
      this.#budgets.set(key, entry);
    }
    return entry.budget;
  }

  /** The limits of `action` for `account`: its own, else the crawl's, else {@link DEFAULT_BUDGETS}. */
  limits(account: string, action: Action): BudgetLimits {
    const own = this.options.accounts[account];
    return {
      callsPerMinute:
        own?.callsPerMinute?.[action] ??
        this.options.callsPerMinute?.[action] ??
        DEFAULT_BUDGETS[action].callsPerMinute,
      inFlight:
        own?.inFlight?.[action] ?? this.options.inFlight?.[action] ?? DEFAULT_BUDGETS[action].inFlight,
    };
  }

  /** Every budget used so far: where, its limits, its calls, and how long calls waited for it. */
  pressure(): BudgetPressure[] {
    return [...this.#budgets.entries()].map(([key, { action, budget }]) => {
      const [account = '', regionId = ''] = key.split('\n');
      return {
        account,
        regionId,
        action,
        callsPerMinute: budget.limits.callsPerMinute,
        rate: budget.rate,
        calls: budget.calls,
        throttles: budget.throttles,
        waitedMs: budget.waitedMs,
      };
    });
  }

  /** Calls so far, by action, over every account and region. */
  callsByAction(): Record<Action, number> {
    const out = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
    for (const { action, budget } of this.#budgets.values()) out[action] += budget.calls;
    return out;
  }
}

/** Checks budget options up front, with messages that say how to fix them, and fills in their defaults. */
export function resolveBudgets(options: BudgetOptions = {}): ResolvedBudgets {
  checkTable('budgets.', options);
  for (const [account, o] of Object.entries(options.accounts ?? {}))
    checkTable(`budgets.accounts.${account}.`, o);
  if (options.windowMs !== undefined && (!Number.isFinite(options.windowMs) || options.windowMs < 1000)) {
    throw new CrawlConfigurationError(
      `budgets.windowMs must be a number >= 1000, got ${options.windowMs}`,
      'budgets.windowMs',
    );
  }
  if (options.safetyMs !== undefined && (!Number.isFinite(options.safetyMs) || options.safetyMs < 0)) {
    throw new CrawlConfigurationError(
      `budgets.safetyMs must be a number >= 0, got ${options.safetyMs}`,
      'budgets.safetyMs',
    );
  }
  return {
    callsPerMinute: options.callsPerMinute,
    inFlight: options.inFlight,
    safetyMs: options.safetyMs ?? 1000,
    windowMs: options.windowMs ?? MINUTE,
    accounts: options.accounts ?? {},
  };
}

function checkTable(where: string, table: BudgetTable): void {
  for (const [kind, limits] of [
    ['callsPerMinute', table.callsPerMinute],
    ['inFlight', table.inFlight],
  ] as const) {
    for (const [action, value] of Object.entries(limits ?? {})) {
      if (!(ACTIONS as readonly string[]).includes(action)) {
        throw new CrawlConfigurationError(
          `${where}${kind}: unknown action "${action}"; budgets apply to ${ACTIONS.join(', ')}`,
          `${where}${kind}`,
        );
      }
      if (!Number.isInteger(value) || (value as number) < 1) {
        throw new CrawlConfigurationError(
          `${where}${kind}.${action} must be an integer >= 1, got ${value}`,
          `${where}${kind}.${action}`,
        );
      }
    }
  }
}
