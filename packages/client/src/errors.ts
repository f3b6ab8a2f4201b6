/** What a caller can do about an error: the CLI maps each kind to an exit status. */
export type SwasErrorKind =
  | 'throttled'
  | 'authentication'
  | 'permission'
  | 'clock-skew'
  | 'not-found'
  | 'invalid-request'
  | 'transient'
  | 'bad-response'
  | 'configuration';

/** Where a failed call was going. */
export interface SwasErrorContext {
  action: string;
  regionId?: string;
  instanceId?: string;
}

export interface SwasErrorDetails extends SwasErrorContext {
  /** The API's error code (`Throttling.User`, `SignatureDoesNotMatch`, …) or ours for failures without one. */
  code: string;
  httpStatus?: number;
  requestId?: string;
  /** The server's own message, with every secret removed. */
  serverMessage?: string;
  cause?: unknown;
}

/**
 * Every error the client throws. `transient` says whether the same call may succeed later; the client
 * itself never retries. Messages never hold a secret, STS token or signature.
 */
export class SwasApiError extends Error {
  override name = 'SwasApiError';
  readonly kind: SwasErrorKind = 'invalid-request';
  readonly transient: boolean = false;
  readonly code: string;
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly action: string;
  readonly regionId?: string;
  readonly instanceId?: string;
  readonly serverMessage?: string;

  constructor(message: string, details: SwasErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
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
  override readonly kind = 'throttled';
  override readonly transient = true;

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
  override readonly kind = 'authentication';
}

/** The credentials lack a RAM permission (`Forbidden*`). */
export class PermissionError extends SwasApiError {
  override name = 'PermissionError';
  override readonly kind = 'permission';
}

/** The local clock is too far from the server's for signatures to be accepted. */
export class ClockSkewError extends SwasApiError {
  override name = 'ClockSkewError';
  override readonly kind = 'clock-skew';
}

/** The instance (released), invocation (expired) or region does not exist. */
export class NotFoundError extends SwasApiError {
  override name = 'NotFoundError';
  override readonly kind = 'not-found';
}

/** The request itself is wrong (missing or invalid parameter, unknown action): a bug, not a condition. */
export class InvalidRequestError extends SwasApiError {
  override name = 'InvalidRequestError';
  override readonly kind = 'invalid-request';
}

/** A failure that may pass: 5xx, connection reset, timeout, a body that is not JSON. */
export class TransientServiceError extends SwasApiError {
  override name = 'TransientServiceError';
  override readonly kind = 'transient';
  override readonly transient = true;
}

/** A well-formed answer that does not have the documented shape (missing field, wrong type). */
export class BadResponseError extends SwasApiError {
  override name = 'BadResponseError';
  override readonly kind = 'bad-response';
}

/** The client could not be set up: no credentials found, a bad option. */
export class ConfigurationError extends SwasApiError {
  override name = 'ConfigurationError';
  override readonly kind = 'configuration';
}
