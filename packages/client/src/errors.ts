import { SwasArchiveError } from '@swas-archive/errors';

/** Where a failed call was going. */
export interface SwasErrorContext {
  action: string;
  regionId?: string;
  instanceId?: string;
}

export interface SwasErrorDetails extends SwasErrorContext {
  /** The API's error code (`Throttling.User`, `SignatureDoesNotMatch`, …), or the transport's (`ECONNRESET`, `BadResponse`). */
  serverCode: string;
  httpStatus?: number;
  requestId?: string;
  /** The server's own message, with every secret removed. */
  serverMessage?: string;
  cause?: unknown;
}

/**
 * Every error the client throws. `code` is ours and stable (`api.throttled`, …; see `@swas-archive/errors`);
 * `serverCode` is what the service said. `transient` says whether the same call may succeed later; the
 * client itself never retries. Messages never hold a secret, STS token or signature.
 */
export abstract class SwasApiError extends SwasArchiveError {
  override name = 'SwasApiError';
  /** The service's own error code (`Throttling.User`, `InvalidInstanceId.NotFound`, …), or the transport's. */
  readonly serverCode: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly action: string;
  readonly regionId?: string;
  readonly instanceId?: string;
  readonly serverMessage?: string;

  constructor(message: string, details: SwasErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.serverCode = details.serverCode;
    this.httpStatus = details.httpStatus;
    this.requestId = details.requestId;
    this.action = details.action;
    this.regionId = details.regionId;
    this.instanceId = details.instanceId;
    this.serverMessage = details.serverMessage;
  }
}

/** Flow control refused the call (`Throttling*`): slow down, then retry. */
export class ThrottledError extends SwasApiError {
  override name = 'ThrottledError';
  readonly code = 'api.throttled' as const;

  constructor(
    message: string,
    details: SwasErrorDetails,
    /** The server's hint (`x-acs-retry-after`), in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message, details);
  }
}

/** The credentials were refused: wrong secret, unknown key, bad STS token. Retrying cannot help. */
export class AuthenticationError extends SwasApiError {
  override name = 'AuthenticationError';
  readonly code = 'api.authentication' as const;
}

/** The credentials lack a RAM permission (`Forbidden*`). */
export class PermissionError extends SwasApiError {
  override name = 'PermissionError';
  readonly code = 'api.permission' as const;
}

/** The local clock is too far from the server's for signatures to be accepted. */
export class ClockSkewError extends SwasApiError {
  override name = 'ClockSkewError';
  readonly code = 'api.clock-skew' as const;
}

/** The instance (released), invocation (expired) or region does not exist. */
export class NotFoundError extends SwasApiError {
  override name = 'NotFoundError';
  readonly code = 'api.not-found' as const;
}

/** The request itself is wrong (missing or invalid parameter, unknown action): a bug, not a condition. */
export class InvalidRequestError extends SwasApiError {
  override name = 'InvalidRequestError';
  readonly code = 'api.invalid-request' as const;
}

/** A failure that may pass: 5xx, connection reset, timeout, a body that is not JSON. */
export class TransientServiceError extends SwasApiError {
  override name = 'TransientServiceError';
  readonly code = 'api.unavailable' as const;
}

/** A well-formed answer that does not have the documented shape (missing field, wrong type). */
export class BadResponseError extends SwasApiError {
  override name = 'BadResponseError';
  readonly code = 'api.bad-response' as const;
}

/** The client could not be set up: no credentials found, a bad option. */
export class ConfigurationError extends SwasApiError {
  override name = 'ConfigurationError';
  readonly code = 'api.configuration' as const;
}
