import { EmulatorOptionsError } from '../errors.js';

/** Faults that replace or spoil an answer. */
export type FaultKind = 'internal-error' | 'service-unavailable' | 'reset' | 'truncate' | 'trickle' | 'hang';
/** Every {@link FaultKind}. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'internal-error',
  'service-unavailable',
  'reset',
  'truncate',
  'trickle',
  'hang',
];

/** Probabilities (0–1) of each fault, and added latency, for one action or all. */
export interface FaultRule {
  /** Added latency before answering, in milliseconds. */
  latencyMs?: number;
  /** Uniform jitter of ± this many milliseconds around `latencyMs`. */
  jitterMs?: number;
  /** HTTP 500 `InternalError`. */
  internalError?: number;
  /** HTTP 503 `ServiceUnavailable`. */
  serviceUnavailable?: number;
  /** The connection is closed without an answer. */
  reset?: number;
  /** A 200 answer whose body stops half-way. */
  truncate?: number;
  /** The body is sent slowly, over `trickleMs`. */
  trickle?: number;
  /** The request is read and never answered: the connection stays open until the client gives up. */
  hang?: number;
}

/** Named sets of fault rules. */
export type FaultProfileName = 'none' | 'flaky' | 'chaos';

/** The rules of each named profile. */
export const FAULT_PROFILES: Readonly<Record<FaultProfileName, FaultRule>> = {
  none: {},
  flaky: {
    latencyMs: 10,
    jitterMs: 10,
    internalError: 0.02,
    serviceUnavailable: 0.02,
    reset: 0.01,
    truncate: 0.01,
  },
  chaos: {
    latencyMs: 40,
    jitterMs: 40,
    internalError: 0.06,
    serviceUnavailable: 0.06,
    reset: 0.03,
    truncate: 0.03,
    trickle: 0.01,
  },
};

/** Fault injection settings. */
export interface FaultOptions {
  /**
   * Base rules for every action.
   * @default 'none'
   */
  profile?: FaultProfileName;
  /** Rules per action, merged over the profile's. */
  actions?: Readonly<Record<string, FaultRule>>;
  /** Rules for requests naming an instance (`InstanceId`), merged over the others: an instance whose agent is broken. */
  instances?: Readonly<Record<string, FaultRule>>;
  /** Faults on exact calls: the `call`-th request (1-based) of `action` (or of any action) gets `fault`. */
  schedule?: readonly { action?: string; call: number; fault: FaultKind }[];
  /**
   * How long a trickled body takes to arrive, in milliseconds.
   * @default 6000
   */
  trickleMs?: number;
}

/** Each probability of a {@link FaultRule} with the fault it injects, in the order they are rolled. */
export const RULE_KEYS: readonly [keyof FaultRule, FaultKind][] = [
  ['internalError', 'internal-error'],
  ['serviceUnavailable', 'service-unavailable'],
  ['reset', 'reset'],
  ['truncate', 'truncate'],
  ['trickle', 'trickle'],
  ['hang', 'hang'],
];

/** `options` if they are valid, else an {@link EmulatorOptionsError} naming the invalid one. */
export function validateFaultOptions(options: FaultOptions): FaultOptions {
  if (options.profile !== undefined && !(options.profile in FAULT_PROFILES)) {
    throw new EmulatorOptionsError(
      'faults.profile',
      `faults.profile must be one of ${Object.keys(FAULT_PROFILES).join(', ')}, got ${options.profile}`,
    );
  }
  for (const [name, rule] of Object.entries({ ...options.actions, ...options.instances })) {
    const sum = RULE_KEYS.reduce((s, [k]) => s + ((rule[k] as number | undefined) ?? 0), 0);
    if (sum > 1) {
      const isInstance = options.instances !== undefined && Object.hasOwn(options.instances, name);
      // The message says `faults.actions.` for an instance's rule too (kept as it was); `option` is exact.
      throw new EmulatorOptionsError(
        `faults.${isInstance ? 'instances' : 'actions'}.${name}`,
        `faults.actions.${name}: fault probabilities add up to ${Number(sum.toFixed(6))}, more than 1`,
      );
    }
  }
  for (const s of options.schedule ?? []) {
    if (!FAULT_KINDS.includes(s.fault)) {
      throw new EmulatorOptionsError('faults.schedule', `faults.schedule: unknown fault ${s.fault}`);
    }
    if (!Number.isInteger(s.call) || s.call < 1) {
      throw new EmulatorOptionsError('faults.schedule', `faults.schedule: call must be an integer >= 1`);
    }
  }
  return options;
}
