import { formatApiTime } from '../api-time.js';
import { ApiError, instanceNotFound, invalidParameter } from '../errors.js';
import type { FleetStore } from '../fleet/fleet-store.js';
import type { InstanceRecord, RegionState } from '../fleet/records.js';
import type { ActionHandler } from './action-context.js';
import { integer, json, oneOf, type Params, required } from './params.js';

/** `ListRegions`: the fleet's regions, named in the language asked for. */
export const listRegions: ActionHandler = ({ store, params, regionEndpoint }) => {
  const english = oneOf(params, 'AcceptLanguage', ['zh-CN', 'en-US', 'ja']) === 'en-US';
  return {
    Regions: [...store.regions.values()].map((r) => ({
      RegionId: r.regionId,
      LocalName: english ? r.englishName : r.localName,
      RegionEndpoint: regionEndpoint(r.regionId),
    })),
  };
};

function regionOf(store: FleetStore, params: Params): RegionState {
  const regionId = required(params, 'RegionId');
  const region = store.regions.get(regionId);
  if (!region)
    throw new ApiError('InvalidRegionId.NotFound', 404, `The specified region "${regionId}" does not exist.`);
  return region;
}

/** The instance named by `InstanceId` in the request's region, if it exists and is not released. */
export function instanceOf(store: FleetStore, params: Params): InstanceRecord {
  const region = regionOf(store, params);
  const instanceId = required(params, 'InstanceId');
  const instance = store.instances.get(instanceId);
  if (!instance || instance.regionId !== region.regionId || instance.releasedAt !== undefined) {
    throw instanceNotFound(instanceId);
  }
  return instance;
}

/** `ListInstances`: one page of a region's instances that are not released, filtered as asked. */
export const listInstances: ActionHandler = ({ store, params }) => {
  const region = regionOf(store, params);
  const pageNumber = integer(params, 'PageNumber', 1, 1, 1_000_000);
  const pageSize = integer(params, 'PageSize', 10, 1, 100);
  const matches = region.instances.filter(instanceFilter(params));
  return {
    TotalCount: matches.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Instances: matches.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map(instanceView),
  };
};

function instanceFilter(params: Params): (i: InstanceRecord) => boolean {
  const ids = json(params, 'InstanceIds');
  if (
    ids !== undefined &&
    (!Array.isArray(ids) || ids.length > 100 || ids.some((x) => typeof x !== 'string'))
  ) {
    throw invalidParameter(
      'InstanceIds',
      params.InstanceIds ?? '',
      'a JSON array of at most 100 instance ids',
    );
  }
  const idSet = ids ? new Set(ids as string[]) : undefined;
  const tags: { key: string; value?: string }[] = [];
  for (let n = 1; params[`Tag.${n}.Key`] !== undefined; n++) {
    tags.push({ key: params[`Tag.${n}.Key`] as string, value: params[`Tag.${n}.Value`] });
  }
  const { Status, ChargeType, PlanType, InstanceName, ResourceGroupId } = params;
  return (i) =>
    i.releasedAt === undefined &&
    (!idSet || idSet.has(i.instanceId)) &&
    (!Status || i.status === Status) &&
    (!ChargeType || i.chargeType === ChargeType) &&
    (!PlanType || i.planType === PlanType) &&
    (!InstanceName || i.instanceName.includes(InstanceName)) &&
    (!ResourceGroupId || i.resourceGroupId === ResourceGroupId) &&
    tags.every((t) =>
      i.tags.some((it) => it.Key === t.key && (t.value === undefined || it.Value === t.value)),
    );
}

function instanceView(i: InstanceRecord): Record<string, unknown> {
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    RegionId: i.regionId,
    Status: i.status,
    BusinessStatus: 'Normal',
    PlanId: i.planId,
    PlanType: i.planType,
    ChargeType: i.chargeType,
    CreationTime: formatApiTime(i.creationTime),
    ExpiredTime: formatApiTime(i.expiredTime),
    ImageId: i.imageId,
    Image: { ImageName: i.imageName, OsType: i.osType },
    PublicIpAddress: i.publicIpAddress,
    InnerIpAddress: i.innerIpAddress,
    ResourceGroupId: i.resourceGroupId,
    Uuid: i.uuid,
    Tags: i.tags.map((t) => ({ ...t })),
  };
}
