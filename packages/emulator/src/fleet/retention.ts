import { positive, positiveInt } from '../option-checks.js';
import { DAY_MS, type RetentionOptions } from './fleet-options.js';
import type { ExpiryReason, InstanceRecord, InvocationRecord } from './records.js';

/** One region's share of the record cap. */
interface RegionLedger {
  /** Every invocation ever held in the region, oldest first. */
  invocations: InvocationRecord[];
  /** Index of the oldest invocation that may still be held (cap eviction starts there). */
  head: number;
  /** How many of `invocations` are still held. */
  live: number;
}

/**
 * What the service keeps: every invocation ever held, and which of them have vanished, by age
 * (`maxAgeMs`), by the record cap (`maxRecords`, per region or per account), or with their instance.
 */
export class Retention {
  /** Records older than this vanish. */
  readonly maxAgeMs: number;
  readonly #maxRecords: number;
  readonly #capScope: 'region' | 'account';
  /** Every invocation ever held, oldest first. */
  readonly #all: InvocationRecord[] = [];
  readonly #regions = new Map<string, RegionLedger>();
  #ageHead = 0;
  #accountHead = 0;
  #live = 0;

  /** @throws {EmulatorOptionsError} when `maxAgeMs` or `maxRecords` is invalid. */
  constructor(options: RetentionOptions) {
    this.maxAgeMs = positive('retention.maxAgeMs', options.maxAgeMs ?? 14 * DAY_MS);
    this.#maxRecords = positiveInt('retention.maxRecords', options.maxRecords ?? 100_000);
    this.#capScope = options.capScope ?? 'region';
  }

  /** Every invocation ever held, oldest first, vanished ones included. */
  all(): readonly InvocationRecord[] {
    return this.#all;
  }

  /** Records a new invocation, newer than every one before it. */
  add(inv: InvocationRecord): void {
    let region = this.#regions.get(inv.instance.regionId);
    if (!region) {
      region = { invocations: [], head: 0, live: 0 };
      this.#regions.set(inv.instance.regionId, region);
    }
    this.#all.push(inv);
    region.invocations.push(inv);
    inv.instance.invocations.push(inv);
    region.live++;
    this.#live++;
  }

  /** Expires what is older than `maxAgeMs` at `now`, then the oldest records beyond the cap. */
  evict(now: number): void {
    while (this.#ageHead < this.#all.length) {
      const inv = this.#all[this.#ageHead] as InvocationRecord;
      if (inv.expiredAt === undefined && inv.createdAt + this.maxAgeMs > now) break;
      if (inv.expiredAt === undefined) this.#expire(inv, inv.createdAt + this.maxAgeMs, 'retention');
      this.#ageHead++;
    }
    if (this.#capScope === 'account') {
      while (this.#live > this.#maxRecords) {
        const inv = this.#all[this.#accountHead++] as InvocationRecord;
        if (inv.expiredAt === undefined) this.#expire(inv, now, 'cap');
      }
      return;
    }
    for (const region of this.#regions.values()) {
      while (region.live > this.#maxRecords) {
        const inv = region.invocations[region.head++] as InvocationRecord;
        if (inv.expiredAt === undefined) this.#expire(inv, now, 'cap');
      }
    }
  }

  /** Expires every record `instance` still holds, at `at`, as its release does. */
  release(instance: InstanceRecord, at: number): void {
    for (let i = instance.head; i < instance.invocations.length; i++) {
      this.#expire(instance.invocations[i] as InvocationRecord, at, 'released');
    }
    instance.head = instance.invocations.length;
  }

  #expire(inv: InvocationRecord, at: number, reason: ExpiryReason): void {
    inv.expiredAt = at;
    inv.expiryReason = reason;
    (this.#regions.get(inv.instance.regionId) as RegionLedger).live--;
    this.#live--;
    if (reason !== 'released') {
      // Eviction always takes the oldest record held, so it is the head of its instance's list too.
      const instance = inv.instance;
      if (instance.invocations[instance.head] !== inv)
        throw new Error(`eviction out of order at ${inv.invokeId}`);
      instance.head++;
    }
  }
}
