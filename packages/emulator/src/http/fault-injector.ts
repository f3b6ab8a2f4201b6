import { Random } from '../random.js';
import {
  FAULT_PROFILES,
  type FaultKind,
  type FaultOptions,
  RULE_KEYS,
  validateFaultOptions,
} from './fault-options.js';

/** What happens to one request. */
export interface FaultDecision {
  delayMs: number;
  fault?: FaultKind;
}

/** Decides, deterministically from the seed and the call count, which requests get which fault. */
export class FaultInjector {
  readonly #random: Random;
  readonly #calls = new Map<string, number>();
  #total = 0;
  #options: FaultOptions;

  /** @throws {EmulatorOptionsError} when `options` are invalid. */
  constructor(seed: number, options: FaultOptions = {}) {
    this.#random = Random.derive(seed, 'faults');
    this.#options = validateFaultOptions(options);
  }

  /** Replaces the fault settings from the next request on. */
  reconfigure(options: FaultOptions): void {
    this.#options = validateFaultOptions(options);
  }

  /** How long a trickled body takes to arrive, in milliseconds. */
  get trickleMs(): number {
    return this.#options.trickleMs ?? 6000;
  }

  /** What happens to the next request for `action` (naming `instanceId`, if it does); counts the call. */
  decide(action: string, instanceId?: string): FaultDecision {
    const call = (this.#calls.get(action) ?? 0) + 1;
    this.#calls.set(action, call);
    const total = ++this.#total;
    const rule = {
      ...FAULT_PROFILES[this.#options.profile ?? 'none'],
      ...this.#options.actions?.[action],
      ...(instanceId === undefined ? {} : this.#options.instances?.[instanceId]),
    };
    const jitter = rule.jitterMs ? (this.#random.next() * 2 - 1) * rule.jitterMs : 0;
    const delayMs = Math.max(0, Math.round((rule.latencyMs ?? 0) + jitter));
    const scheduled = this.#options.schedule?.find((s) =>
      s.action === undefined ? s.call === total : s.action === action && s.call === call,
    );
    if (scheduled) return { delayMs, fault: scheduled.fault };
    const roll = this.#random.next();
    let threshold = 0;
    for (const [key, fault] of RULE_KEYS) {
      threshold += (rule[key] as number | undefined) ?? 0;
      if (roll < threshold) return { delayMs, fault };
    }
    return { delayMs };
  }
}
