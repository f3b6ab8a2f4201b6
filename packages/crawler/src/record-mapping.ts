import type { InstanceObservation, InvocationObservation, ObservedResult } from '@swas-archive/archive';
import type { Instance, Invocation, InvocationResult } from '@swas-archive/client';
import { type InstanceRef, refOf } from './instance-ref.js';

/** What the run saw of one invocation (with its result, when fetched), as the archive stores it. */
export function invocationObservation(
  where: InstanceRef,
  inv: Invocation,
  observedAt: Date,
  result?: InvocationResult,
): InvocationObservation {
  const obs: InvocationObservation = {
    account: where.account,
    regionId: where.regionId,
    instanceId: where.instanceId,
    invokeId: inv.invokeId,
    creationTime: inv.creationTime,
    invocationStatus: inv.invocationStatus,
    invokeStatus: inv.invokeStatus,
    commandType: inv.commandType,
    commandName: inv.commandName,
    commandContent: inv.commandContent,
    commandContentBase64: inv.commandContentBase64,
    parameters: inv.parameters,
    observedAt,
  };
  if (result) obs.result = observedResult(result);
  return obs;
}

/** A result as the archive stores it. */
export function observedResult(result: InvocationResult): ObservedResult {
  return {
    exitCode: result.exitCode,
    output: result.output,
    outputBase64: result.outputBase64,
    errorCode: result.errorCode,
    errorInfo: result.errorInfo,
    startTime: result.startTime,
    finishedTime: result.finishedTime,
    invokeUser: result.invokeUser,
  };
}

/** An instance as `ListInstances` showed it. */
export function instanceObservation(account: string, i: Instance, observedAt: Date): InstanceObservation {
  return { account, ...i, observedAt };
}

/** An instance found gone: all the run knows is where it was and when it found out. */
export function releasedInstanceObservation(where: InstanceRef, at: Date): InstanceObservation {
  return { ...refOf(where), instanceName: '', status: 'Released', tags: [], releasedAt: at, observedAt: at };
}
