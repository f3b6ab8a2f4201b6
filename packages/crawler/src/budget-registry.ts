import { CrawlConfigurationError } from './errors.js';
import { type BudgetLimits, type BudgetStats, MINUTE, RateBudget } from './rate-budget.js';

export const ACTIONS = [
  'ListRegions',
  'ListInstances',
  'DescribeInvocations',
  'DescribeInvocationResult',
] as const;
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

/** Budget settings of a crawl. */
export interface BudgetOptions {
  /** Calls per minute per (account, region) for named actions; the rest keep their defaults. */
  callsPerMinute?: Partial<Record<Action, number>>;
  /** Calls in flight per (account, region) for named actions. */
  inFlight?: Partial<Record<Action, number>>;
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
  /** Per-account overrides, by account name. */
  accounts?: Readonly<Record<string, Omit<BudgetOptions, 'accounts' | 'safetyMs' | 'windowMs'>>>;
}

/** One {@link RateBudget} per (account, region, action), created on first use. */
export class BudgetRegistry {
  readonly #budgets = new Map<string, { action: Action; budget: RateBudget }>();

  constructor(private readonly options: BudgetOptions = {}) {}

  get(account: string, regionId: string, action: Action): RateBudget {
    const key = `${account}\n${regionId}\n${action}`;
    let entry = this.#budgets.get(key);
    if (!entry) {
      entry = {
        action,
        budget: new RateBudget(
          this.limits(account, action),
          this.options.safetyMs ?? 1000,
          this.options.windowMs ?? MINUTE,
        ),
      };
      this.#budgets.set(key, entry);
    }
    return entry.budget;
  }

  limits(account: string, action: Action): BudgetLimits {
    const own = this.options.accounts?.[account];
    return {
      callsPerMinute:
        own?.callsPerMinute?.[action] ??
        this.options.callsPerMinute?.[action] ??
        DEFAULT_BUDGETS[action].callsPerMinute,
      inFlight:
        own?.inFlight?.[action] ?? this.options.inFlight?.[action] ?? DEFAULT_BUDGETS[action].inFlight,
    };
  }

  /** Calls and throttles so far, by action, over every account and region. */
  totals(): Record<Action, BudgetStats> {
    const out = Object.fromEntries(
      ACTIONS.map((a) => [a, { calls: 0, throttles: 0, currentRate: 0 }]),
    ) as Record<Action, BudgetStats>;
    for (const { action, budget } of this.#budgets.values()) {
      out[action].calls += budget.stats.calls;
      out[action].throttles += budget.stats.throttles;
      out[action].currentRate += budget.stats.currentRate;
    }
    return out;
  }
}

/** Checks budget options up front, with messages that say how to fix them. */
export function validateBudgets(options: BudgetOptions): void {
  const check = (where: string, o: Omit<BudgetOptions, 'accounts' | 'safetyMs' | 'windowMs'>) => {
    for (const [kind, table] of [
      ['callsPerMinute', o.callsPerMinute],
      ['inFlight', o.inFlight],
    ] as const) {
      for (const [action, value] of Object.entries(table ?? {})) {
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
  };
  check('budgets.', options);
  for (const [account, o] of Object.entries(options.accounts ?? {})) check(`budgets.accounts.${account}.`, o);
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
}
