import { formatApiTime } from '../api-time.js';
import {
  type ExpiryReason,
  finishedTimeAt,
  type InstanceRecord,
  type InvocationRecord,
  invocationStatusAt,
  invokeStatusOf,
} from './records.js';

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
  /** The `ExitCode` `DescribeInvocationResult` answers (0 until the command has finished). */
  exitCode: number;
  /** When the record vanished from the API, if it did. */
  expiredAt?: string;
  expiryReason?: ExpiryReason;
  /** Whether any `DescribeInvocations` answer listed it: a vanished record never listed was lost unseen. */
  listed: boolean;
}

/** An instance as the ground truth reports it. */
export interface GroundTruthInstance {
  regionId: string;
  instanceId: string;
  instanceName: string;
  osType: 'Linux' | 'Windows';
  /** Invocations the API holds for it now. */
  held: number;
  releasedAt?: string;
}

/** `inv` as the ground truth reports it at virtual time `now`: a vanished record keeps its last state. */
export function invocationTruth(inv: InvocationRecord, now: number): GroundTruthInvocation {
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
    exitCode: finishedTimeAt(inv, at) === undefined ? 0 : inv.exitCode,
    listed: inv.listedAt !== undefined,
    ...(inv.expiredAt === undefined
      ? {}
      : { expiredAt: formatApiTime(inv.expiredAt), expiryReason: inv.expiryReason }),
  };
}

/** `instance` as the ground truth reports it, holding `held` invocations now. */
export function instanceTruth(instance: InstanceRecord, held: number): GroundTruthInstance {
  return {
    regionId: instance.regionId,
    instanceId: instance.instanceId,
    instanceName: instance.instanceName,
    osType: instance.osType,
    held,
    ...(instance.releasedAt === undefined ? {} : { releasedAt: formatApiTime(instance.releasedAt) }),
  };
}
