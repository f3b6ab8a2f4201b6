import type { ResolvedCredentials } from './credentials.js';
import {
  AuthenticationError,
  ClockSkewError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  type SwasApiError,
  type SwasErrorContext,
  type SwasErrorDetails,
  ThrottledError,
  TransientServiceError,
} from './errors.js';

/** An error answer from the API, as read off the wire. */
export interface ApiFailure {
  code: string;
  httpStatus?: number;
  requestId?: string;
  /** Already scrubbed of secrets. */
  serverMessage?: string;
  retryAfterMs?: number;
}

const AUTH_CODES =
  /^(SignatureDoesNotMatch|IncompleteSignature|InvalidAccessKeyId|InvalidAccessKeySecret|InvalidSecurityToken|MissingSecurityToken|InvalidAccessKey)/;

/** Turns an API error code into the error class a caller acts on, with a message that says what to do. */
export function classifyApiFailure(
  f: ApiFailure,
  ctx: SwasErrorContext,
  credentials: ResolvedCredentials,
): SwasApiError {
  const details: SwasErrorDetails = {
    ...ctx,
    serverCode: f.code,
    httpStatus: f.httpStatus,
    requestId: f.requestId,
    serverMessage: f.serverMessage,
  };
  const where = describe(ctx);
  const said = f.serverMessage ? ` The service said: ${f.serverMessage}` : '';
  const key = credentials.maskedKeyId;
  if (f.code.includes('Throttling')) {
    const wait = f.retryAfterMs === undefined ? '' : ` (the service asks to wait ${f.retryAfterMs} ms)`;
    return new ThrottledError(
      `${where} was throttled by API flow control (${f.code})${wait}: slow down, or lower this action's budget.`,
      details,
      f.retryAfterMs,
    );
  }
  if (f.code === 'SignatureDoesNotMatch') {
    return new AuthenticationError(
      `the access key secret does not match for access key ${key}: ${credentials.hint()}.${said}`,
      details,
    );
  }
  if (f.code.startsWith('InvalidAccessKeyId')) {
    return new AuthenticationError(
      `access key ${key} is unknown or disabled (${f.code}): ${credentials.hint()}.`,
      details,
    );
  }
  if (f.code.startsWith('InvalidSecurityToken') || f.code === 'MissingSecurityToken') {
    return new AuthenticationError(
      `the STS token for access key ${key} was refused (${f.code}): it may have expired; ${credentials.hint()}.`,
      details,
    );
  }
  if (AUTH_CODES.test(f.code)) {
    return new AuthenticationError(
      `the request signature was refused (${f.code}) for access key ${key}: ${credentials.hint()}.${said}`,
      details,
    );
  }
  if (f.code.startsWith('InvalidTimeStamp.Expired')) {
    return new ClockSkewError(
      `the local clock is more than 15 minutes from the service's: synchronise it (NTP) and retry.${said}`,
      details,
    );
  }
  if (f.code === 'SignatureNonceUsed') {
    return new TransientServiceError(
      `${where}: the service saw this request's nonce already; a new request (with a new nonce) may pass.`,
      details,
    );
  }
  if (f.code.startsWith('Forbidden') || f.code === 'NoPermission' || f.httpStatus === 403) {
    return new PermissionError(
      `access key ${key} lacks the RAM permission for swas-open:${ctx.action}${ctx.regionId ? ` in ${ctx.regionId}` : ''} (${f.code}): grant it (for example the AliyunSWASReadOnlyAccess policy).`,
      details,
    );
  }
  if (/^Invalid(InstanceId|InvokeId|RegionId)\.NotFound$/.test(f.code)) {
    return new NotFoundError(`${where}: ${notFoundWhat(f.code, ctx)} (${f.code}).`, details);
  }
  if (f.code === 'InternalError' || f.code === 'ServiceUnavailable' || (f.httpStatus ?? 0) >= 500) {
    return new TransientServiceError(
      `${where} failed on the service side (${f.httpStatus ?? '?'} ${f.code}); retrying later may succeed.`,
      details,
    );
  }
  return new InvalidRequestError(
    `${where} was refused as invalid (${f.code}): this is a bug in the request, not a condition to retry.${said}`,
    details,
  );
}

function notFoundWhat(code: string, ctx: SwasErrorContext): string {
  if (code.startsWith('InvalidInstanceId'))
    return `instance ${ctx.instanceId ?? '?'} does not exist in ${ctx.regionId ?? 'this region'} (released?)`;
  if (code.startsWith('InvalidRegionId'))
    return `region ${ctx.regionId ?? '?'} does not exist or does not offer Simple Application Server`;
  return 'the invocation no longer exists (expired?)';
}

/** `DescribeInvocations for instance i-… in cn-hangzhou` */
export function describe(ctx: SwasErrorContext): string {
  const parts = [ctx.action];
  if (ctx.instanceId) parts.push(`for instance ${ctx.instanceId}`);
  if (ctx.regionId) parts.push(`in ${ctx.regionId}`);
  return parts.join(' ');
}

/** A failure below HTTP (reset, refused, timeout) or a body that is not JSON. */
export function transportFailure(
  code: string,
  detail: string,
  ctx: SwasErrorContext,
  endpoint: string,
  httpStatus?: number,
): SwasApiError {
  return new TransientServiceError(`${describe(ctx)} at ${endpoint} failed: ${detail} (${code})`, {
    ...ctx,
    serverCode: code,
    httpStatus,
  });
}
