/**
 * The stable codes of {@link EmulatorError}s. Decide on these, never on a message:
 * - `emulator.options`: an option of {@link startEmulator} (or of a later admin call) is invalid;
 * - `emulator.usage`: an admin call asked for something the emulator cannot do;
 * - `emulator.api-error`: an error the emulated API answers with (never thrown out of the emulator).
 */
export type EmulatorErrorCode = 'emulator.options' | 'emulator.usage' | 'emulator.api-error';

/** Every error the emulator throws on purpose: a stable `code`, and whether trying again can help. */
export abstract class EmulatorError extends Error {
  /** Stable, documented, never parsed from the message. */
  abstract readonly code: EmulatorErrorCode;
  /** True when the same call may succeed later; false when only a change by the caller helps. */
  abstract readonly transient: boolean;
}

/** An invalid option: the message says what was expected and what was given. */
export class EmulatorOptionsError extends EmulatorError {
  override readonly name = 'EmulatorOptionsError';
  override readonly code = 'emulator.options';
  override readonly transient = false;

  constructor(
    /** Path of the invalid option, e.g. `fleet.windowsShare` or `faults.actions.ListRegions`. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** An admin call that cannot be carried out, e.g. releasing an instance the fleet does not have. */
export class EmulatorUsageError extends EmulatorError {
  override readonly name = 'EmulatorUsageError';
  override readonly code = 'emulator.usage';
  override readonly transient = false;

  constructor(
    /** The admin operation refused, e.g. `release` or `advance`. */
    readonly operation: string,
    message: string,
    /** The instance the operation named, when it named one. */
    readonly instanceId?: string,
  ) {
    super(message);
  }
}

/** An error the emulated API answers with: the cloud's code (`apiCode`) and HTTP status. */
export class ApiError extends EmulatorError {
  override readonly name: string = 'ApiError';
  override readonly code = 'emulator.api-error';
  /** True for answers the cloud gives when it is unwell (5xx) or busy (throttling). */
  override readonly transient: boolean;

  /** An answer with the cloud's `apiCode`, HTTP status and message. */
  constructor(
    /** The cloud's error code sent in the answer's `Code`, e.g. `InvalidParameter`. */
    readonly apiCode: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.transient = httpStatus >= 500;
  }
}

/** `Throttling.User`: the call was over its budget; `retryAfterMs` says when one would be admitted. */
export class ThrottlingError extends ApiError {
  override readonly name = 'ThrottlingError';
  override readonly transient = true;

  constructor(
    /** Milliseconds until a call would be admitted, sent as `x-acs-retry-after`. */
    readonly retryAfterMs: number,
  ) {
    super('Throttling.User', 400, 'Request was denied due to user flow control.');
  }
}

/** `MissingParameter` (400) for a mandatory parameter that was not sent. */
export const missingParameter = (name: string) =>
  new ApiError(
    'MissingParameter',
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

/** `InvalidParameter` (400) for a parameter whose value is not what the API accepts. */
export const invalidParameter = (name: string, value: string, expected: string) =>
  new ApiError(
    'InvalidParameter',
    400,
    `The specified parameter "${name}" is not valid: got "${value}", expected ${expected}.`,
  );

/** `InvalidInstanceId.NotFound` (404) for an instance the region does not hold (or no longer does). */
export const instanceNotFound = (instanceId: string) =>
  new ApiError('InvalidInstanceId.NotFound', 404, `The specified instance "${instanceId}" does not exist.`);
