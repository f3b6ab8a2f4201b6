import { EmulatorOptionsError } from '../errors.js';
import { positive } from '../option-checks.js';

/** Calls-per-window limits, per (access key, region, action). */
export interface BudgetOptions {
  /** Calls per window for every action without its own entry; unset means unlimited. */
  default?: number;
  /** Calls per window for named actions, e.g. `{ DescribeInvocations: 600 }`. */
  perAction?: Readonly<Record<string, number>>;
  /**
   * The sliding window, in real milliseconds.
   * @default 60000
   */
  windowMs?: number;
  /**
   * Whether a throttled answer carries `x-acs-retry-after` (milliseconds until a call would be admitted).
   * @default true
   */
  retryAfterHeader?: boolean;
}

/** Sliding-window admission: a call beyond the budget of its (key, region, action) is refused. */
export class RateBudget {
  readonly #calls = new Map<string, number[]>();
  readonly #windowMs: number;

  /** @throws {EmulatorOptionsError} when a budget or the window is invalid. */
  constructor(readonly options: BudgetOptions = {}) {
    this.#windowMs = positive('budgets.windowMs', options.windowMs ?? 60_000);
    for (const [action, limit] of Object.entries({ default: options.default, ...options.perAction })) {
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
        throw new EmulatorOptionsError(
          action === 'default' ? 'budgets.default' : `budgets.perAction.${action}`,
          `Expected budget for ${action} to be an integer >= 0, got ${limit}`,
        );
      }
    }
  }

  /** The budget of `action`, or undefined when unlimited. */
  #limitOf(action: string): number | undefined {
    return this.options.perAction?.[action] ?? this.options.default;
  }

  /**
   * Admits a call made at real time `now` and returns 0, or refuses it and returns the milliseconds
   * until one would be admitted. Refused calls do not count against the budget.
   */
  admit(accessKeyId: string, regionId: string, action: string, now: number): number {
    const limit = this.#limitOf(action);
    if (limit === undefined) return 0;
    const key = `${accessKeyId}\n${regionId}\n${action}`;
    let calls = this.#calls.get(key);
    if (!calls) {
      calls = [];
      this.#calls.set(key, calls);
    }
    const since = now - this.#windowMs;
    let drop = 0;
    while (drop < calls.length && (calls[drop] as number) <= since) drop++;
    if (drop > 0) calls.splice(0, drop);
    if (calls.length >= limit) {
      const oldest = calls[0] ?? now;
      return Math.max(1, oldest + this.#windowMs - now);
    }
    calls.push(now);
    return 0;
  }
}
