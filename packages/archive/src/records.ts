/** What `DescribeInvocationResult` said of an invocation, when it was fetched. */
export interface ObservedResult {
  /** Unset when the API gave none. */
  exitCode?: number;
  output: string;
  /** Original output bytes, base64, when they are not valid UTF-8. */
  outputBase64?: string;
  errorCode: string;
  errorInfo: string;
  startTime?: Date;
  finishedTime?: Date;
  invokeUser: string;
}

/** What one crawl saw of one invocation at one moment. Observations never change. */
export interface InvocationObservation {
  account: string;
  regionId: string;
  instanceId: string;
  invokeId: string;
  creationTime: Date;
  invocationStatus: string;
  invokeStatus: string;
  commandType: string;
  commandName: string;
  /** Decoded script text. */
  commandContent: string;
  /** Original bytes, base64, when they are not valid UTF-8. */
  commandContentBase64?: string;
  parameters: Record<string, string>;
  observedAt: Date;
  result?: ObservedResult;
}

/** Instance metadata as one run saw it. */
export interface InstanceObservation {
  account: string;
  regionId: string;
  instanceId: string;
  instanceName: string;
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
  tags: { key: string; value: string }[];
  /** Set when the run found the instance released (gone from the API). */
  releasedAt?: Date;
  observedAt: Date;
}

/** One run of the crawler: the `runs` row its last snapshot writes. */
export interface RunRecord {
  startedAt: Date;
  finishedAt?: Date;
  /** `complete`, `partial`, `failed`, or `running` for a run still going. */
  outcome: string;
  /** Names of the accounts crawled. */
  accounts: string[];
  /** API calls made, by action name. */
  callsByAction: Record<string, number>;
  /** Calls the API refused by flow control. */
  throttles: number;
  /** Calls repeated after a transient failure. */
  retries: number;
  /** Invocations archived for the first time (`CommitResult.newInvocations` over the run). */
  recordsNew: number;
  /** Invocations archived again with a new state (`CommitResult.changedInvocations` over the run). */
  recordsChanged: number;
  /** Instances whose history the run read completely. */
  instancesComplete: number;
  /** Instances it could not read completely. */
  instancesIncomplete: number;
  /** Gaps found: windows that may have held records the archive does not have. */
  gapsFound: number;
}

/** What one run proved about one instance's history. */
export interface CoverageRecord {
  account: string;
  regionId: string;
  instanceId: string;
  observedAt: Date;
  /** Whether every record the API held for the instance was read. */
  complete: boolean;
  /** The window of creation times proven complete. */
  windowStart?: Date;
  windowEnd?: Date;
  /** Whether the window joins the previous coverage without a gap. */
  joinedPrevious: boolean;
  gapStart?: Date;
  gapEnd?: Date;
  /**
   * Why there may be a gap: `expired-unseen`, `cap-rotated`, `expired-during-crawl`, `instance-failed`,
   * `released`. Unset when the window joins the previous one (or on an instance's first run).
   */
  gapReason?: string;
  detail?: string;
}
