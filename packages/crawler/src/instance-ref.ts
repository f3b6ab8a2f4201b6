/** One instance, by where it is: the account, the region and its id. */
export interface InstanceRef {
  account: string;
  regionId: string;
  instanceId: string;
}

/** The key of an instance's cursor in the archive's catalog: `account/region/instance`. */
export const cursorKey = ({ account, regionId, instanceId }: InstanceRef): string =>
  `${account}/${regionId}/${instanceId}`;

/** Just the three fields of `where`, so that a record built from it carries nothing else. */
export const refOf = ({ account, regionId, instanceId }: InstanceRef): InstanceRef => ({
  account,
  regionId,
  instanceId,
});
