/** An error the emulated API answers with, carrying the cloud's code and HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly recommend = 'https://api.aliyun.com/troubleshoot',
  ) {
    super(message);
  }
}

export const missingParameter = (name: string) =>
  new ApiError(
    'MissingParameter',
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

export const invalidParameter = (name: string, value: string, expected: string) =>
  new ApiError(
    'InvalidParameter',
    400,
    `The specified parameter "${name}" is not valid: got "${value}", expected ${expected}.`,
  );

export const instanceNotFound = (instanceId: string) =>
  new ApiError('InvalidInstanceId.NotFound', 404, `The specified instance "${instanceId}" does not exist.`);
