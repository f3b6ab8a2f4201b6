/** Every `InvocationStatus` the API documents. Values outside this list are passed on as they come. */
export const INVOCATION_STATUSES = [
  'Pending',
  'Invalid',
  'Aborted',
  'Running',
  'Success',
  'Failed',
  'Error',
  'Timeout',
  'Cancelled',
  'Stopping',
  'Terminated',
] as const;
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number] | (string & {});
export type InvokeStatus = 'Running' | 'Finished' | 'Failed' | 'Stopped' | (string & {});

const NOT_FINAL = new Set<string>(['Pending', 'Running', 'Stopping']);

/** Whether an invocation in this status can still change. Unknown statuses count as final. */
export const isFinalInvocationStatus = (status: InvocationStatus): boolean => !NOT_FINAL.has(status);

export interface Region {
  regionId: string;
  localName: string;
  /** Host name of the regional endpoint, when the API gives one. */
  regionEndpoint?: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface Instance {
  instanceId: string;
  instanceName: string;
  regionId: string;
  status: string;
  businessStatus?: string;
  planId?: string;
  planType?: string;
  chargeType?: string;
  creationTime?: Date;
  expiredTime?: Date;
  imageId?: string;
  osType?: string;
  publicIpAddress?: string;
  innerIpAddress?: string;
  resourceGroupId?: string;
  uuid?: string;
  tags: Tag[];
}

/** One invocation as `DescribeInvocations` lists it, decoded. */
export interface Invocation {
  invokeId: string;
  creationTime: Date;
  invocationStatus: InvocationStatus;
  invokeStatus: InvokeStatus;
  commandType: string;
  commandName: string;
  /**
   * The script, decoded from base64 as UTF-8 (invalid sequences become U+FFFD); a value that is not base64
   * is kept exactly as sent.
   */
  commandContent: string;
  /** The original bytes, base64, present only when they are not valid UTF-8. */
  commandContentBase64?: string;
  /** Parameter values by name; `{}` when none. */
  parameters: Record<string, string>;
}

/** One invocation's result, from `DescribeInvocationResult`. */
export interface InvocationResult {
  invokeId: string;
  instanceId: string;
  invocationStatus: InvocationStatus;
  invokeRecordStatus: InvokeStatus;
  exitCode?: number;
  /** Output decoded from base64 as UTF-8 (invalid sequences become U+FFFD); not base64: kept as sent. */
  output: string;
  /** The original output bytes, base64, present only when they are not valid UTF-8. */
  outputBase64?: string;
  errorCode: string;
  errorInfo: string;
  startTime?: Date;
  finishedTime?: Date;
  invokeUser: string;
}

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  pageNumber: number;
  pageSize: number;
  requestId: string;
}

export interface ListInstancesQuery {
  regionId: string;
  /** @default 1 */
  pageNumber?: number;
  /** At most 100. @default 10 (the API's default) */
  pageSize?: number;
  /** At most 100 ids. */
  instanceIds?: readonly string[];
  status?: string;
  chargeType?: string;
  planType?: string;
  instanceName?: string;
  resourceGroupId?: string;
  tags?: readonly { key: string; value?: string }[];
}

export interface DescribeInvocationsQuery {
  regionId: string;
  instanceId: string;
  /** @default 1 */
  pageNumber?: number;
  /** At most 50. @default 10 (the API's default) */
  pageSize?: number;
  invokeStatus?: 'Running' | 'Finished' | 'Failed';
}

export interface DescribeInvocationResultQuery {
  regionId: string;
  instanceId: string;
  invokeId: string;
}

/**
 * The SWAS actions the archiver uses. The crawler depends on this interface only;
 * {@link createSwasClient} is its one production implementation.
 */
export interface SwasApi {
  listRegions(): Promise<Region[]>;
  listInstances(query: ListInstancesQuery): Promise<Page<Instance>>;
  describeInvocations(query: DescribeInvocationsQuery): Promise<Page<Invocation>>;
  describeInvocationResult(query: DescribeInvocationResultQuery): Promise<InvocationResult>;
}
