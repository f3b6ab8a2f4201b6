import { formatApiTime } from '../clock.js';
import { EmulatorOptionsError } from '../errors.js';
import { fraction, nonNegative, nonNegativeInt, positive, positiveInt } from '../option-checks.js';
import { Random } from '../random.js';
import { NAME_WORDS, PLANS, REGION_CATALOG, TAG_VALUES } from './catalog.js';
import { DAY_MS, type FleetOptions, type LiveOptions, type RetentionOptions } from './fleet-options.js';
import {
  commandVariants,
  cumulative,
  drawInvocation,
  makeInvokeId,
  variantOf,
} from './invocation-factory.js';
import {
  type CommandVariant,
  type ExpiryReason,
  type InstanceRecord,
  type InvocationRecord,
  invocationStatusAt,
  invokeStatusOf,
} from './records.js';

/** One region and what it holds. */
export interface RegionState {
  regionId: string;
  localName: string;
  englishName: string;
  instances: InstanceRecord[];
  /** Every invocation ever held in the region, oldest first. */
  invocations: InvocationRecord[];
  /** Index of the oldest invocation that may still be held (cap eviction starts there). */
  head: number;
  live: number;
}

/** An invocation as the ground truth reports it: its state now, or when it vanished. */
export interface GroundTruthInvocation {
  regionId: string;
  instanceId: string;
  invokeId: string;
  creationTime: string;
  invocationStatus: string;
  invokeStatus: string;
  commandType: string;
  commandName: string;
  /** Decoded script text. */
  commandContent: string;
  parameters: Record<string, string>;
  /** When the record vanished from the API, if it did. */
  expiredAt?: string;
  expiryReason?: ExpiryReason;
}

/** A command created through `RunCommand`. */
export interface NewCommand {
  name: string;
  type: CommandVariant['type'];
  content: string;
  parameters: Record<string, string>;
  timeoutSeconds: number;
}

interface Resolved {
  retention: Required<RetentionOptions>;
  live: Required<LiveOptions>;
}

/**
 * The fleet and every invocation it ever held, with retention, the record cap, live arrivals and
 * releases applied lazily up to the virtual time passed to {@link FleetStore.sync}.
 */
export class FleetStore {
  readonly regions = new Map<string, RegionState>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly invocations = new Map<string, InvocationRecord>();
  /** Every invocation ever held, oldest first. */
  readonly #all: InvocationRecord[] = [];
  #ageHead = 0;
  #accountHead = 0;
  #live = 0;
  readonly #options: Resolved;
  readonly #variants: { Linux: CommandVariant[]; Windows: CommandVariant[] };
  readonly #arrivals: Random;
  readonly #releases: Random;
  readonly #ids: Random;
  #instanceWeights: number[] = [];
  #instanceList: InstanceRecord[] = [];
  #nextArrivalAt = Number.POSITIVE_INFINITY;
  #nextReleaseAt = Number.POSITIVE_INFINITY;
  #syncedTo: number;

  constructor(
    seed: number,
    fleet: FleetOptions,
    retention: RetentionOptions,
    live: LiveOptions,
    start: number,
  ) {
    this.#options = {
      retention: {
        maxAgeMs: positive('retention.maxAgeMs', retention.maxAgeMs ?? 14 * DAY_MS),
        maxRecords: positiveInt('retention.maxRecords', retention.maxRecords ?? 100_000),
        capScope: retention.capScope ?? 'region',
      },
      live: {
        invocationsPerMinute: nonNegative('live.invocationsPerMinute', live.invocationsPerMinute ?? 0),
        releasesPerHour: nonNegative('live.releasesPerHour', live.releasesPerHour ?? 0),
      },
    };
    const commands = Random.derive(seed, 'commands');
    this.#variants = {
      Linux: commandVariants(commands, 'Linux'),
      Windows: commandVariants(commands, 'Windows'),
    };
    this.#arrivals = Random.derive(seed, 'arrivals');
    this.#releases = Random.derive(seed, 'releases');
    this.#ids = Random.derive(seed, 'live-ids');
    this.#syncedTo = start;
    this.#generate(seed, fleet, start);
    const { invocationsPerMinute, releasesPerHour } = this.#options.live;
    if (invocationsPerMinute > 0)
      this.#nextArrivalAt = start + this.#arrivals.exponential(60_000 / invocationsPerMinute);
    if (releasesPerHour > 0)
      this.#nextReleaseAt = start + this.#releases.exponential(3_600_000 / releasesPerHour);
    this.#evict(start);
  }

  /** Applies arrivals, releases and evictions up to virtual time `now`. */
  sync(now: number): void {
    if (now <= this.#syncedTo) return;
    for (;;) {
      const next = Math.min(this.#nextArrivalAt, this.#nextReleaseAt);
      if (next > now) break;
      this.#evict(next);
      if (next === this.#nextArrivalAt) {
        this.#arrive(next);
        this.#nextArrivalAt =
          next + this.#arrivals.exponential(60_000 / this.#options.live.invocationsPerMinute);
      } else {
        this.#releaseOne(next);
        this.#nextReleaseAt =
          next + this.#releases.exponential(3_600_000 / this.#options.live.releasesPerHour);
      }
    }
    this.#evict(now);
    this.#syncedTo = now;
  }

  /** Records a `RunCommand` on `instance` at `now` and returns the new invocation. */
  runCommand(instance: InstanceRecord, command: NewCommand, now: number): InvocationRecord {
    this.sync(now);
    const variant = variantOf(
      {
        name: command.name,
        type: command.type,
        content: command.content,
        failureRate: 0,
        meanSeconds: 2,
        timeoutSeconds: command.timeoutSeconds,
      },
      command.parameters,
    );
    const inv = drawInvocation(this.#ids, instance, variant, now, makeInvokeId(this.#ids, instance.regionId));
    // A user's script decides its own outcome: `exit N` fails with that code, anything else succeeds.
    const exit = /\bexit\s+(\d+)/.exec(command.content);
    const exitCode = exit ? Number(exit[1]) : 0;
    Object.assign(inv, {
      final: exitCode === 0 ? 'Success' : 'Failed',
      exitCode,
      errorCode: exitCode === 0 ? '' : 'ExitCodeNonzero',
      errorInfo: exitCode === 0 ? '' : 'the command exited with a non-zero code',
      runMs: Math.min(2000, command.timeoutSeconds * 1000),
      startDelayMs: 500,
      stopMs: 0,
    });
    this.#add(inv);
    this.#evict(now);
    return inv;
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
    return this.#all.map((inv) => {
      const at = Math.min(now, inv.expiredAt ?? now);
      const status = invocationStatusAt(inv, at);
      return {
        regionId: inv.instance.regionId,
        instanceId: inv.instance.instanceId,
        invokeId: inv.invokeId,
        creationTime: formatApiTime(inv.createdAt),
        invocationStatus: status,
        invokeStatus: invokeStatusOf(status),
        commandType: inv.command.type,
        commandName: inv.command.name,
        commandContent: inv.command.content,
        parameters: { ...inv.command.parameters },
        ...(inv.expiredAt === undefined
          ? {}
          : { expiredAt: formatApiTime(inv.expiredAt), expiryReason: inv.expiryReason }),
      };
    });
  }

  /** Releases `instance` at `at`: it leaves `ListInstances` and its records become unreachable. */
  release(instance: InstanceRecord, at: number): void {
    if (instance.releasedAt !== undefined) return;
    instance.releasedAt = at;
    for (let i = instance.head; i < instance.invocations.length; i++) {
      this.#expire(instance.invocations[i] as InvocationRecord, at, 'released');
    }
    instance.head = instance.invocations.length;
  }

  #generate(seed: number, fleet: FleetOptions, start: number): void {
    const random = Random.derive(seed, 'fleet');
    const regionIds = resolveRegions(fleet.regions ?? 3);
    const perRegion = nonNegativeInt('fleet.instancesPerRegion', fleet.instancesPerRegion ?? 4);
    const windowsShare = fraction('fleet.windowsShare', fleet.windowsShare ?? 0.2);
    const hotSpotShare = fraction('fleet.hotSpotShare', fleet.hotSpotShare ?? 0.15);
    const weights: number[] = [];
    for (const regionId of regionIds) {
      const known = REGION_CATALOG.find((r) => r.regionId === regionId);
      const region: RegionState = {
        regionId,
        localName: known?.localName ?? regionId,
        englishName: known?.englishName ?? regionId,
        instances: [],
        invocations: [],
        head: 0,
        live: 0,
      };
      this.regions.set(regionId, region);
      for (let i = 0; i < perRegion; i++) {
        const instance = makeInstance(
          random,
          regionId,
          start,
          windowsShare,
          hotSpotShare,
          this.#options.retention.maxAgeMs,
        );
        region.instances.push(instance);
        this.instances.set(instance.instanceId, instance);
        this.#instanceList.push(instance);
        // Pareto-like skew: a few busy instances run most commands.
        weights.push(1 / (0.05 + random.next()) ** 1.2);
      }
    }
    this.#instanceWeights = cumulative(weights);
    const total = nonNegativeInt('fleet.invocations', fleet.invocations ?? 400);
    if (this.#instanceList.length === 0) return;
    // Sorted uniform creation times over the retention window, drawn as normalised exponential spacings.
    const span = this.#options.retention.maxAgeMs * 0.995;
    const gaps = Array.from({ length: total + 1 }, () => random.exponential(1));
    const sum = gaps.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let i = 0; i < total; i++) {
      acc += gaps[i] as number;
      const createdAt = Math.floor(start - span + (acc / sum) * span);
      const instance = this.#instanceList[random.weighted(this.#instanceWeights)] as InstanceRecord;
      const command = random.pick(this.#variants[instance.osType]);
      this.#add(
        drawInvocation(random, instance, command, createdAt, makeInvokeId(random, instance.regionId)),
      );
    }
  }

  #arrive(at: number): void {
    for (let attempt = 0; attempt < 8; attempt++) {
      const instance = this.#instanceList[this.#arrivals.weighted(this.#instanceWeights)];
      if (!instance || instance.releasedAt !== undefined) continue;
      const command = this.#arrivals.pick(this.#variants[instance.osType]);
      this.#add(
        drawInvocation(
          this.#arrivals,
          instance,
          command,
          at,
          makeInvokeId(this.#arrivals, instance.regionId),
        ),
      );
      return;
    }
  }

  #releaseOne(at: number): void {
    const candidates = this.#instanceList.filter((i) => i.releasedAt === undefined);
    if (candidates.length > 0) this.release(this.#releases.pick(candidates), at);
  }

  #add(inv: InvocationRecord): void {
    const region = this.regions.get(inv.instance.regionId) as RegionState;
    this.#all.push(inv);
    region.invocations.push(inv);
    inv.instance.invocations.push(inv);
    this.invocations.set(inv.invokeId, inv);
    region.live++;
    this.#live++;
  }

  #evict(now: number): void {
    const { maxAgeMs, maxRecords, capScope } = this.#options.retention;
    while (this.#ageHead < this.#all.length) {
      const inv = this.#all[this.#ageHead] as InvocationRecord;
      if (inv.expiredAt === undefined && inv.createdAt + maxAgeMs > now) break;
      if (inv.expiredAt === undefined) this.#expire(inv, inv.createdAt + maxAgeMs, 'retention');
      this.#ageHead++;
    }
    if (capScope === 'account') {
      while (this.#live > maxRecords) {
        const inv = this.#all[this.#accountHead++] as InvocationRecord;
        if (inv.expiredAt === undefined) this.#expire(inv, now, 'cap');
      }
      return;
    }
    for (const region of this.regions.values()) {
      while (region.live > maxRecords) {
        const inv = region.invocations[region.head++] as InvocationRecord;
        if (inv.expiredAt === undefined) this.#expire(inv, now, 'cap');
      }
    }
  }

  #expire(inv: InvocationRecord, at: number, reason: ExpiryReason): void {
    inv.expiredAt = at;
    inv.expiryReason = reason;
    (this.regions.get(inv.instance.regionId) as RegionState).live--;
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

function makeInstance(
  random: Random,
  regionId: string,
  start: number,
  windowsShare: number,
  hotSpotShare: number,
  maxAgeMs: number,
): InstanceRecord {
  const osType = random.chance(windowsShare) ? 'Windows' : 'Linux';
  const plan = osType === 'Windows' ? (PLANS[4] as (typeof PLANS)[number]) : random.pick(PLANS.slice(0, 4));
  const creationTime = start - maxAgeMs - random.int(1, 400) * DAY_MS;
  const name = `${random.pick(NAME_WORDS)}-${random.int(1, 99).toString().padStart(2, '0')}`;
  const tags: { Key: string; Value: string }[] = [{ Key: 'env', Value: random.pick(TAG_VALUES.env) }];
  if (random.chance(0.6)) tags.push({ Key: 'team', Value: random.pick(TAG_VALUES.team) });
  return {
    instanceId: random.hex(32),
    instanceName: name,
    regionId,
    status: random.chance(0.92) ? 'Running' : 'Stopped',
    planId: plan.planId,
    planType: plan.planType,
    chargeType: 'PrePaid',
    creationTime,
    expiredTime: start + random.int(30, 700) * DAY_MS,
    imageId:
      osType === 'Windows'
        ? `win2022_${random.hex(8)}`
        : `${random.pick(['centos_7', 'ubuntu_22', 'alinux_3'])}_${random.hex(8)}`,
    imageName: osType === 'Windows' ? 'Windows Server 2022' : 'Alibaba Cloud Linux 3',
    osType,
    publicIpAddress: `47.${random.int(90, 120)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    innerIpAddress: `172.${random.int(16, 31)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    resourceGroupId: `rg-${random.base36(15)}`,
    uuid: random.hex(32),
    tags,
    failureFactor: random.chance(hotSpotShare) ? 8 : 1,
    invocations: [],
    head: 0,
  };
}

function resolveRegions(regions: number | readonly string[]): string[] {
  if (typeof regions === 'number') {
    const n = nonNegativeInt('fleet.regions', regions);
    if (n > REGION_CATALOG.length) {
      return [
        ...REGION_CATALOG.map((r) => r.regionId),
        ...Array.from({ length: n - REGION_CATALOG.length }, (_, i) => `xx-emulated-${i + 1}`),
      ];
    }
    return REGION_CATALOG.slice(0, n).map((r) => r.regionId);
  }
  const bad = regions.find((r) => !/^[a-z]{2}-[a-z0-9-]+$/.test(r));
  if (bad !== undefined) {
    throw new EmulatorOptionsError(
      'fleet.regions',
      `fleet.regions: "${bad}" is not a region id like cn-hangzhou`,
    );
  }
  return [...new Set(regions)];
}
