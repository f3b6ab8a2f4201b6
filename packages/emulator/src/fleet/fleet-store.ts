import { Random } from '../random.js';
import { type FleetCommands, fleetCommands } from './fleet-commands.js';
import { generateFleet, makeInstance } from './fleet-generator.js';
import type { FleetOptions, LiveOptions, RetentionOptions } from './fleet-options.js';
import { type GroundTruthInvocation, invocationTruth } from './ground-truth.js';
import { type NewCommand, userInvocation } from './invocation-factory.js';
import { LiveChanges, resolveLiveOptions } from './live-changes.js';
import type { InstanceRecord, InvocationRecord, RegionState } from './records.js';
import { Retention } from './retention.js';

/** The options that shape a fleet store; each is validated, and defaulted, where it is used. */
export interface FleetStoreOptions {
  seed: number;
  fleet: FleetOptions;
  retention: RetentionOptions;
  live: LiveOptions;
  /** The virtual instant the emulator starts at. */
  start: number;
}

/**
 * The fleet and every invocation it ever held, with retention, the record cap, live arrivals and
 * releases applied lazily up to the virtual time passed to {@link FleetStore.sync}.
 */
export class FleetStore {
  /** Regions by id, in the order they were generated. */
  readonly regions = new Map<string, RegionState>();
  /** Every instance by id, released ones included. */
  readonly instances = new Map<string, InstanceRecord>();
  /** Every invocation ever held, by invoke id. */
  readonly invocations = new Map<string, InvocationRecord>();
  readonly #retention: Retention;
  readonly #live: LiveChanges;
  /** Ids and outcomes of `RunCommand` invocations: a stream of their own, so calls shift nothing else. */
  readonly #ids: Random;
  /** Instances added while serving: a stream of their own, so they shift nothing else. */
  readonly #newInstances: Random;
  readonly #commands: FleetCommands;
  readonly #seed: number;
  #syncedTo: number;

  /**
   * Generates the fleet and applies retention at `start`.
   * @throws {EmulatorOptionsError} when an option is invalid.
   */
  constructor({ seed, fleet, retention, live, start }: FleetStoreOptions) {
    this.#retention = new Retention(retention);
    const liveOptions = resolveLiveOptions(live);
    const commands = fleetCommands(seed);
    const generated = generateFleet(fleet, { seed, start, maxAgeMs: this.#retention.maxAgeMs, commands });
    for (const region of generated.regions) this.regions.set(region.regionId, region);
    for (const instance of generated.instances) this.instances.set(instance.instanceId, instance);
    for (const inv of generated.invocations) this.#add(inv);
    this.#live = new LiveChanges(seed, liveOptions, start, {
      instances: generated.instances,
      weights: generated.weights,
      commands,
    });
    this.#ids = Random.derive(seed, 'live-ids');
    this.#newInstances = Random.derive(seed, 'new-instances');
    this.#commands = commands;
    this.#seed = seed;
    this.#syncedTo = start;
    this.#retention.evict(start);
  }

  /** Applies arrivals, releases and evictions up to virtual time `now`. */
  sync(now: number): void {
    if (now <= this.#syncedTo) return;
    for (let change = this.#live.next(now); change; change = this.#live.next(now)) {
      // Retention catches up to the change's instant before it applies; what an arrival pushes over the
      // cap is evicted at the next step.
      this.#retention.evict(change.at);
      if (change.arrival) this.#add(change.arrival);
      if (change.release) this.release(change.release, change.at);
    }
    this.#retention.evict(now);
    this.#syncedTo = now;
  }

  /** Records a `RunCommand` on `instance` at `now` and returns the new invocation. */
  runCommand(instance: InstanceRecord, command: NewCommand, now: number): InvocationRecord {
    this.sync(now);
    const inv = userInvocation(this.#ids, instance, command, now);
    this.#add(inv);
    this.#retention.evict(now);
    return inv;
  }

  /** A new instance of `region`, created at `now`: listed from then on, with no invocations yet. */
  addInstance(region: RegionState, now: number): InstanceRecord {
    this.sync(now);
    const at = { seed: this.#seed, start: now, maxAgeMs: 0, commands: this.#commands };
    const instance = makeInstance(this.#newInstances, region.regionId, at, 0.2, 0.15);
    instance.creationTime = now;
    region.instances.push(instance);
    this.instances.set(instance.instanceId, instance);
    return instance;
  }

  /** How many invocations of `instance` the API holds now. */
  heldCount(instance: InstanceRecord): number {
    return instance.invocations.length - instance.head;
  }

  /** Invocations held for `instance` in the order the API lists them. */
  *held(instance: InstanceRecord, order: 'newest-first' | 'oldest-first'): Generator<InvocationRecord> {
    const list = instance.invocations;
    if (order === 'oldest-first') {
      for (let i = instance.head; i < list.length; i++) yield list[i] as InvocationRecord;
    } else {
      for (let i = list.length - 1; i >= instance.head; i--) yield list[i] as InvocationRecord;
    }
  }

  /** The `index`-th held invocation (0-based) of `instance` in the listing order. */
  heldAt(
    instance: InstanceRecord,
    order: 'newest-first' | 'oldest-first',
    index: number,
  ): InvocationRecord | undefined {
    const list = instance.invocations;
    return order === 'oldest-first' ? list[instance.head + index] : list[list.length - 1 - index];
  }

  /** Whether the API would still return `inv`. */
  isHeld(inv: InvocationRecord): boolean {
    return inv.expiredAt === undefined;
  }

  /** Every invocation ever held, with its state at `now` (or when it vanished). */
  groundTruth(now: number): GroundTruthInvocation[] {
    this.sync(now);
    return this.#retention.all().map((inv) => invocationTruth(inv, now));
  }

  /** Releases `instance` at `at`: it leaves `ListInstances` and its records become unreachable. */
  release(instance: InstanceRecord, at: number): void {
    if (instance.releasedAt !== undefined) return;
    instance.releasedAt = at;
    this.#retention.release(instance, at);
  }

  #add(inv: InvocationRecord): void {
    this.#retention.add(inv);
    this.invocations.set(inv.invokeId, inv);
  }
}
