import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionHandler } from '../actions/action-context.js';
import { ACTIONS } from '../actions/action-table.js';
import { ApiError, missingParameter, ThrottlingError } from '../errors.js';
import type { FleetStore } from '../fleet/fleet-store.js';
import type { VirtualClock } from '../virtual-clock.js';
import type { Authenticator, Caller } from './authenticator.js';
import type { FaultInjector } from './fault-injector.js';
import type { FaultKind } from './fault-options.js';
import { type IncomingApiRequest, readApiRequest } from './incoming-request.js';
import type { RateBudget } from './rate-budget.js';
import type { RequestLog, RequestLogRecord } from './request-log.js';
import { type Answer, sendAnswer } from './send-answer.js';
import { type ResponseFormat, serialize } from './serialize.js';

/** The one API version the emulated product speaks. */
const API_VERSION = '2020-06-01';

/** What serving the API needs: the emulator's parts and its settings. */
export interface ApiServerParts {
  clock: VirtualClock;
  store: FleetStore;
  auth: Authenticator;
  budget: RateBudget;
  faults: FaultInjector;
  log: RequestLog;
  order: 'newest-first' | 'oldest-first';
  regionEndpoint: (regionId: string) => string;
  forbidden: (accessKeyId: string, action: string) => boolean;
  /** Awaited before an admitted call is answered (a simulation's virtual latency). */
  beforeAnswer?: (call: { action: string; regionId?: string; instanceId?: string }) => Promise<void>;
}

/** Serves one API request: authenticate, budget, faults, then the action. */
export async function serveApiRequest(
  parts: ApiServerParts,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const arrived = Date.now();
  const request = await readApiRequest(req);
  const format: ResponseFormat = (request.params.Format ?? 'JSON').toUpperCase() === 'XML' ? 'XML' : 'JSON';
  const requestId = randomUUID().toUpperCase();
  const host = request.headers.host ?? 'swas.aliyuncs.com';
  const now = parts.clock.now();
  const entry = logEntry(parts.log, request, arrived, now);
  let fault: FaultKind | undefined;
  let answer: Answer;
  try {
    const { caller, handler } = admit(parts, request, entry, arrived);
    const decision = parts.faults.decide(caller.action, request.params.InstanceId);
    fault = decision.fault;
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const injected = fault === undefined ? undefined : INJECTED_ERRORS[fault];
    if (injected) throw injected();
    const { RegionId: regionId, InstanceId: instanceId } = request.params;
    await parts.beforeAnswer?.({ action: caller.action, regionId, instanceId });
    // The virtual time of the answer is taken after any injected latency, as a slow server's would be.
    const at = parts.clock.now();
    entry.virtualMs = at;
    parts.store.sync(at);
    const body = handler({
      params: request.params,
      store: parts.store,
      now: at,
      order: parts.order,
      regionEndpoint: parts.regionEndpoint,
    });
    answer = {
      status: 200,
      body: serialize({ RequestId: requestId, ...body }, format, `${caller.action}Response`),
      headers: {},
    };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    answer = errorAnswer(error, requestId, host, format, parts.budget.options.retryAfterHeader !== false);
    entry.outcome = error.apiCode;
  }
  entry.fault = fault;
  entry.httpStatus = fault === 'reset' ? 0 : answer.status;
  parts.log.add(entry);
  await sendAnswer(res, answer, format, fault, parts.faults.trickleMs, now);
}

/** The request's log entry as it arrives: what it claims to be, before anything is verified. */
function logEntry(
  log: RequestLog,
  request: IncomingApiRequest,
  arrived: number,
  now: number,
): RequestLogRecord {
  return {
    seq: log.nextSeq(),
    timeMs: arrived,
    virtualMs: now,
    regionId: request.params.RegionId,
    instanceId: request.params.InstanceId,
    action: request.params.Action ?? request.headers['x-acs-action'],
    httpStatus: 0,
    outcome: 'ok',
    admitted: false,
  };
}

/** Authenticates the caller, checks the action and charges its budget; throws the cloud's refusal. */
function admit(
  parts: ApiServerParts,
  request: IncomingApiRequest,
  entry: RequestLogRecord,
  arrived: number,
): { caller: Caller; handler: ActionHandler } {
  const caller = parts.auth.authenticate(request);
  entry.accessKeyId = caller.accessKeyId;
  entry.signatureVersion = caller.signatureVersion;
  entry.action = caller.action;
  const handler = checkAction(caller, parts);
  const wait = parts.budget.admit(caller.accessKeyId, request.params.RegionId ?? '', caller.action, arrived);
  if (wait > 0) throw new ThrottlingError(wait);
  entry.admitted = true;
  return { caller, handler };
}

/** The answers that faults put in place of the action's. */
const INJECTED_ERRORS: Partial<Record<FaultKind, () => ApiError>> = {
  'internal-error': () =>
    new ApiError(
      'InternalError',
      500,
      'The request processing has failed due to some unknown error, exception or failure.',
    ),
  'service-unavailable': () =>
    new ApiError(
      'ServiceUnavailable',
      503,
      'The request has failed due to a temporary failure of the server.',
    ),
};

function checkAction(caller: Caller, parts: ApiServerParts): ActionHandler {
  if (!caller.action) throw missingParameter('Action');
  const handler = ACTIONS[caller.action];
  if (!handler)
    throw new ApiError(
      'InvalidAction.NotFound',
      404,
      `Specified api "${caller.action}" is not found, please check your url and method.`,
    );
  if (caller.version !== API_VERSION) {
    throw new ApiError(
      'InvalidVersion',
      400,
      `Specified parameter Version "${caller.version}" is not valid; this product speaks ${API_VERSION}.`,
    );
  }
  if (parts.forbidden(caller.accessKeyId, caller.action)) {
    throw new ApiError(
      'Forbidden.RAM',
      403,
      `User not authorized to operate on the specified resource, or this API doesn't support RAM: ${caller.action}.`,
    );
  }
  return handler;
}

const RECOMMEND = 'https://api.aliyun.com/troubleshoot';

function errorAnswer(
  error: ApiError,
  requestId: string,
  host: string,
  format: ResponseFormat,
  retryAfter: boolean,
): Answer {
  const body = {
    RequestId: requestId,
    HostId: host,
    Code: error.apiCode,
    Message: error.message,
    Recommend: `${RECOMMEND}?q=${encodeURIComponent(error.apiCode)}&product=SWAS-OPEN&requestId=${requestId}`,
  };
  const headers: Record<string, string> = {};
  if (retryAfter && error instanceof ThrottlingError)
    headers['x-acs-retry-after'] = String(error.retryAfterMs);
  return { status: error.httpStatus, body: serialize(body, format, 'Error'), headers };
}
