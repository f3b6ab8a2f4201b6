import { EmulatorOptionsError } from '../errors.js';
import { fraction, nonNegativeInt } from '../option-checks.js';
import { cumulative, Random } from '../random.js';
import { NAME_WORDS, PLANS, REGION_CATALOG, TAG_VALUES } from './catalog.js';
import type { FleetCommands } from './fleet-commands.js';
import { DAY_MS, type FleetOptions } from './fleet-options.js';
import { drawInvocation, makeInvokeId } from './invocation-factory.js';
import type { InstanceRecord, InvocationRecord, RegionState } from './records.js';

/** A fleet as generated at start-up, before retention is applied. */
export interface GeneratedFleet {
  regions: RegionState[];
  /** Every instance, region by region. */
  instances: InstanceRecord[];
  /** Cumulative weights of `instances`: a few busy instances run most commands. */
  weights: number[];
  /** The invocations held at start, oldest first. */
  invocations: InvocationRecord[];
}

/** Where and when the fleet is generated. */
export interface FleetGeneration {
  seed: number;
  /** The virtual start instant: invocations are spread over the retention window before it. */
  start: number;
  maxAgeMs: number;
  commands: FleetCommands;
}

/** Generates the fleet that `options` describe; the same for the same seed. */
export function generateFleet(options: FleetOptions, at: FleetGeneration): GeneratedFleet {
  const random = Random.derive(at.seed, 'fleet');
  const regionIds = resolveRegions(options.regions ?? 3);
  const perRegion = nonNegativeInt('fleet.instancesPerRegion', options.instancesPerRegion ?? 4);
  const windowsShare = fraction('fleet.windowsShare', options.windowsShare ?? 0.2);
  const hotSpotShare = fraction('fleet.hotSpotShare', options.hotSpotShare ?? 0.15);
  const fleet: GeneratedFleet = { regions: [], instances: [], weights: [], invocations: [] };
  const weights: number[] = [];
  for (const regionId of regionIds) {
    const known = REGION_CATALOG.find((r) => r.regionId === regionId);
    const region: RegionState = {
      regionId,
      localName: known?.localName ?? regionId,
      englishName: known?.englishName ?? regionId,
      instances: [],
    };
    fleet.regions.push(region);
    for (let i = 0; i < perRegion; i++) {
      const instance = makeInstance(random, regionId, at, windowsShare, hotSpotShare);
      region.instances.push(instance);
      fleet.instances.push(instance);
      // Pareto-like skew: a few busy instances run most commands.
      weights.push(1 / (0.05 + random.next()) ** 1.2);
    }
  }
  fleet.weights = cumulative(weights);
  const total = nonNegativeInt('fleet.invocations', options.invocations ?? 400);
  if (fleet.instances.length > 0) fleet.invocations = drawHistory(random, fleet, total, at);
  return fleet;
}

/** `total` invocations created over the retention window before `at.start`, oldest first. */
function drawHistory(
  random: Random,
  fleet: GeneratedFleet,
  total: number,
  at: FleetGeneration,
): InvocationRecord[] {
  // Sorted uniform creation times over the retention window, drawn as normalised exponential spacings.
  const span = at.maxAgeMs * 0.995;
  const gaps = Array.from({ length: total + 1 }, () => random.exponential(1));
  const sum = gaps.reduce((a, b) => a + b, 0);
  const history: InvocationRecord[] = [];
  let acc = 0;
  for (let i = 0; i < total; i++) {
    acc += gaps[i] as number;
    const createdAt = Math.floor(at.start - span + (acc / sum) * span);
    const instance = fleet.instances[random.weighted(fleet.weights)] as InstanceRecord;
    const command = random.pick(at.commands[instance.osType]);
    const invokeId = makeInvokeId(random, instance.regionId);
    history.push(drawInvocation(random, instance, command, createdAt, invokeId));
  }
  return history;
}

/** One instance of `regionId`, drawn from `random` (its creation time before `at.start`). */
export function makeInstance(
  random: Random,
  regionId: string,
  at: FleetGeneration,
  windowsShare: number,
  hotSpotShare: number,
): InstanceRecord {
  const { start, maxAgeMs } = at;
  const osType = random.chance(windowsShare) ? 'Windows' : 'Linux';
  const plan = osType === 'Windows' ? (PLANS[4] as (typeof PLANS)[number]) : random.pick(PLANS.slice(0, 4));
  const creationTime = start - maxAgeMs - random.int(1, 400) * DAY_MS;
  const name = `${random.pick(NAME_WORDS)}-${random.int(1, 99).toString().padStart(2, '0')}`;
  const tags: { Key: string; Value: string }[] = [{ Key: 'env', Value: random.pick(TAG_VALUES.env) }];
  if (random.chance(0.6)) tags.push({ Key: 'team', Value: random.pick(TAG_VALUES.team) });
  // The draws below happen in the order of the fields: reordering them changes every fleet.
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
