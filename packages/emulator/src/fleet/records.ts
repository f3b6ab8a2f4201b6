import type { CommandType } from './catalog.js';

const INVOCATION_STATUSES = [
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
/** Every `InvocationStatus` the API documents. */
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number];
/** The coarse status `InvokeStatus` filters by. */
export type InvokeStatus = 'Running' | 'Finished' | 'Failed' | 'Stopped';
/** A status that no longer changes. */
export type FinalStatus = Exclude<InvocationStatus, 'Pending' | 'Running' | 'Stopping'>;
/** Why a record vanished from the API: its age, the record cap, or its instance's release. */
export type ExpiryReason = 'retention' | 'cap' | 'released';

/** One concrete command (template with its parameter values), shared by many invocations. */
export interface CommandVariant {
  name: string;
  type: CommandType;
  /** Script text as the user wrote it (the API sends it base64-encoded). */
  content: string;
  contentBase64: string;
  parameters: Record<string, string>;
  failureRate: number;
  meanSeconds: number;
  timeoutSeconds: number;
}

/** One region of the fleet and its instances (released ones included). */
export interface RegionState {
  regionId: string;
  localName: string;
  englishName: string;
  instances: InstanceRecord[];
}

/** An instance of the fleet, with what `ListInstances` shows of it and the invocations it held. */
export interface InstanceRecord {
  instanceId: string;
  instanceName: string;
  regionId: string;
  status: 'Running' | 'Stopped';
  planId: string;
  planType: string;
  chargeType: 'PrePaid' | 'PostPaid';
  creationTime: number;
  expiredTime: number;
  imageId: string;
  imageName: string;
  osType: 'Linux' | 'Windows';
  publicIpAddress: string;
  innerIpAddress: string;
  resourceGroupId: string;
  uuid: string;
  tags: { Key: string; Value: string }[];
  /** How much more often than usual commands fail here (a failure hot spot when > 1). */
  failureFactor: number;
  releasedAt?: number;
  /** Every invocation ever held for this instance, oldest first; those before `head` are gone. */
  invocations: InvocationRecord[];
  head: number;
}

/** One invocation: what ran, and how it goes over virtual time (its status follows from the clock). */
export interface InvocationRecord {
  invokeId: string;
  instance: InstanceRecord;
  createdAt: number;
  /** Time spent `Pending`. */
  startDelayMs: number;
  /** Time spent `Running` (0 for invocations that never run). */
  runMs: number;
  /** Time spent `Stopping` before `Terminated`. */
  stopMs: number;
  final: FinalStatus;
  exitCode: number;
  errorCode: string;
  errorInfo: string;
  command: CommandVariant;
  invokeUser: string;
  outputSeed: number;
  outputBytes: number;
  /** Output bytes given as they are (a seeded record), instead of drawn from `outputSeed`. */
  output?: Buffer;
  expiredAt?: number;
  expiryReason?: ExpiryReason;
  /** When a `DescribeInvocations` answer first listed it (virtual time); unset while none has. */
  listedAt?: number;
}

const FINISHED_STATUSES = new Set<InvocationStatus>(['Success']);
const STOPPED_STATUSES = new Set<InvocationStatus>(['Cancelled', 'Terminated']);
const NOT_FINAL = new Set<InvocationStatus>(['Pending', 'Running', 'Stopping']);

/** The coarse `InvokeStatus` that goes with an `InvocationStatus`. */
export function invokeStatusOf(status: InvocationStatus): InvokeStatus {
  if (NOT_FINAL.has(status)) return 'Running';
  if (FINISHED_STATUSES.has(status)) return 'Finished';
  if (STOPPED_STATUSES.has(status)) return 'Stopped';
  return 'Failed';
}

/** The status an invocation has at virtual time `t`. */
export function invocationStatusAt(inv: InvocationRecord, t: number): InvocationStatus {
  const started = inv.createdAt + inv.startDelayMs;
  if (t < started) return 'Pending';
  if (inv.final === 'Terminated') {
    if (t < started + inv.runMs) return 'Running';
    if (t < started + inv.runMs + inv.stopMs) return 'Stopping';
    return 'Terminated';
  }
  if (t < started + inv.runMs) return 'Running';
  return inv.final;
}

/** When the invocation started running, if it had by `t`. */
export function startTimeAt(inv: InvocationRecord, t: number): number | undefined {
  if (inv.final === 'Cancelled' || inv.final === 'Invalid') return undefined;
  const started = inv.createdAt + inv.startDelayMs;
  return t >= started ? started : undefined;
}

/** When the invocation reached its final status, if it had by `t`. */
export function finishedTimeAt(inv: InvocationRecord, t: number): number | undefined {
  const done = inv.createdAt + inv.startDelayMs + inv.runMs + inv.stopMs;
  return t >= done ? done : undefined;
}
