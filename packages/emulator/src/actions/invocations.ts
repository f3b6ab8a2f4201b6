import { formatApiTime } from '../api-time.js';
import { ApiError, invalidParameter } from '../errors.js';
import { invocationOutput } from '../fleet/invocation-output.js';
import {
  type CommandVariant,
  finishedTimeAt,
  type InvocationRecord,
  type InvokeStatus,
  invocationStatusAt,
  invokeStatusOf,
  startTimeAt,
} from '../fleet/records.js';
import { JsonFragment } from '../http/serialize.js';
import type { ActionHandler } from './action-context.js';
import { integer, json, oneOf, required } from './params.js';
import { instanceOf } from './regions-and-instances.js';

const INVOKE_STATUS_FILTERS: readonly InvokeStatus[] = ['Running', 'Finished', 'Failed', 'Stopped'];

/** `DescribeInvocations`: one page of an instance's held invocations, optionally filtered by `InvokeStatus`. */
export const describeInvocations: ActionHandler = ({ store, params, now, order }) => {
  const instance = instanceOf(store, params);
  const invokeStatus = oneOf(params, 'InvokeStatus', INVOKE_STATUS_FILTERS);
  const pageNumber = integer(params, 'PageNumber', 1, 1, 1_000_000);
  const pageSize = integer(params, 'PageSize', 10, 1, 50);
  const offset = (pageNumber - 1) * pageSize;
  const page: InvocationRecord[] = [];
  let total: number;
  if (invokeStatus === undefined) {
    total = store.heldCount(instance);
    for (let i = offset; i < Math.min(total, offset + pageSize); i++) {
      page.push(store.heldAt(instance, order, i) as InvocationRecord);
    }
  } else {
    total = 0;
    for (const inv of store.held(instance, order)) {
      if (invokeStatusOf(invocationStatusAt(inv, now)) !== invokeStatus) continue;
      if (total >= offset && page.length < pageSize) page.push(inv);
      total++;
    }
  }
  // The ground truth tells what vanished without any answer having listed it.
  for (const inv of page) inv.listedAt ??= now;
  return {
    TotalCount: total,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Invocations: new JsonFragment(`[${page.map((inv) => invocationJson(inv, now)).join(',')}]`, () =>
      page.map((inv) => invocationView(inv, now)),
    ),
  };
};

// The command part of a listed invocation never changes and is shared by many invocations: build its
// JSON once per command variant.
const commandJson = new WeakMap<CommandVariant, string>();

function invocationJson(inv: InvocationRecord, now: number): string {
  let tail = commandJson.get(inv.command);
  if (tail === undefined) {
    const c = inv.command;
    tail = `"CommandType":${JSON.stringify(c.type)},"CommandName":${JSON.stringify(c.name)},"CommandContent":${JSON.stringify(c.contentBase64)},"Parameters":${JSON.stringify(c.parameters)}}`;
    commandJson.set(inv.command, tail);
  }
  const status = invocationStatusAt(inv, now);
  return `{"InvokeId":${JSON.stringify(inv.invokeId)},"CreationTime":"${formatApiTime(inv.createdAt)}","InvocationStatus":"${status}","InvokeStatus":"${invokeStatusOf(status)}",${tail}`;
}

function invocationView(inv: InvocationRecord, now: number): Record<string, unknown> {
  const status = invocationStatusAt(inv, now);
  return {
    InvokeId: inv.invokeId,
    CreationTime: formatApiTime(inv.createdAt),
    InvocationStatus: status,
    InvokeStatus: invokeStatusOf(status),
    CommandType: inv.command.type,
    CommandName: inv.command.name,
    CommandContent: inv.command.contentBase64,
    Parameters: inv.command.parameters,
  };
}

/** `DescribeInvocationResult`: one held invocation's result and output as of now. */
export const describeInvocationResult: ActionHandler = ({ store, params, now }) => {
  const instance = instanceOf(store, params);
  const invokeId = required(params, 'InvokeId');
  const inv = store.invocations.get(invokeId);
  if (!inv || inv.instance !== instance || !store.isHeld(inv)) {
    throw new ApiError(
      'InvalidInvokeId.NotFound',
      404,
      `The specified invocation "${invokeId}" does not exist.`,
    );
  }
  const status = invocationStatusAt(inv, now);
  const started = startTimeAt(inv, now);
  const finished = finishedTimeAt(inv, now);
  const done = finished !== undefined;
  // Output grows while a command runs; the full text is there once it has finished.
  const output = invocationOutput(inv);
  const shown = done
    ? output
    : started !== undefined
      ? output.subarray(0, Math.floor(output.length / 2))
      : Buffer.alloc(0);
  return {
    InvocationResult: {
      InvokeId: inv.invokeId,
      InstanceId: instance.instanceId,
      InvocationStatus: status,
      InvokeRecordStatus: invokeStatusOf(status),
      ExitCode: done ? inv.exitCode : 0,
      Output: shown.toString('base64'),
      ErrorCode: done ? inv.errorCode : '',
      ErrorInfo: done ? inv.errorInfo : '',
      StartTime: started === undefined ? '' : formatApiTime(started),
      FinishedTime: done ? formatApiTime(finished) : '',
      InvokeUser: inv.invokeUser,
    },
  };
};

const COMMAND_TYPES = ['RunShellScript', 'RunBatScript', 'RunPowerShellScript'] as const;

/** `RunCommand`: runs a script on an instance; the new invocation goes through the virtual clock. */
export const runCommand: ActionHandler = ({ store, params, now }) => {
  const instance = instanceOf(store, params);
  const name = required(params, 'Name');
  const type = oneOf(params, 'Type', COMMAND_TYPES);
  if (type === undefined) throw invalidParameter('Type', '', `one of ${COMMAND_TYPES.join(', ')}`);
  const content = required(params, 'CommandContent');
  const timeoutSeconds = integer(params, 'Timeout', 60, 10, 86_400);
  const parameters = json(params, 'Parameters') ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw invalidParameter(
      'Parameters',
      params.Parameters ?? '',
      'a JSON object of parameter names to values',
    );
  }
  const values = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)]));
  const inv = store.runCommand(instance, { name, type, content, parameters: values, timeoutSeconds }, now);
  return { InvokeId: inv.invokeId };
};
