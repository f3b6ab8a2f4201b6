import type { FleetOptions, LiveOptions, RetentionOptions } from './fleet/fleet-options.js';
import type { AccessKeyConfig } from './http/access-key-config.js';
import type { FaultOptions } from './http/fault-options.js';
import type { BudgetOptions } from './http/rate-budget.js';
import type { ClockOptions } from './virtual-clock.js';

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Everything generated (fleet, arrivals, faults, ids) follows from it.
   * @default 42
   */
  seed?: number;
  fleet?: FleetOptions;
  clock?: ClockOptions;
  retention?: RetentionOptions;
  live?: LiveOptions;
  budgets?: BudgetOptions;
  faults?: FaultOptions;
  /**
   * Order of `DescribeInvocations` results (the real order is unconfirmed).
   * @default 'newest-first'
   */
  order?: 'newest-first' | 'oldest-first';
  /**
   * Accepted access keys.
   * @default one key derived from the seed
   */
  credentials?: readonly AccessKeyConfig[];
  /**
   * Largest accepted difference between a request's time-stamp and the real clock.
   * @default 15 minutes
   */
  maxClockSkewMs?: number;
  /**
   * Serve the admin routes (ground truth, request log, clock, faults) under `adminPrefix`.
   * The real API has no such routes, so they are off unless asked for.
   * @default false
   */
  adminHttp?: boolean;
  /** @default '/__emulator' */
  adminPrefix?: string;
  /**
   * `RegionEndpoint` that `ListRegions` reports for a region.
   * @default `swas.<region>.aliyuncs.com`, as the cloud reports
   */
  regionEndpoint?: (regionId: string) => string;
  /**
   * Most requests the log keeps (oldest dropped first).
   * @default 1000000
   */
  requestLogLimit?: number;
  /**
   * Awaited before each admitted API call is answered, after any injected latency; the answer is taken at
   * the virtual time it resolves. For simulations on a virtual clock: a call that takes virtual time (e.g.
   * a sleep on the simulation's clock) without any real wait. Not an option of the bin.
   * @default none
   */
  beforeAnswer?: (call: { action: string; regionId?: string; instanceId?: string }) => Promise<void>;
}
