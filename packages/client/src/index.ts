export type { CredentialsOptions, CredentialsSource, StaticCredentials } from './credentials.js';
export { decodeInvocations } from './decode.js';
export {
  AuthenticationError,
  BadResponseError,
  ClockSkewError,
  ConfigurationError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  SwasApiError,
  ThrottledError,
  TransientServiceError,
} from './errors.js';
export { type CallEvent, createSwasClient, type SwasClient, type SwasClientOptions } from './swas-client.js';
export {
  type DescribeInvocationResultQuery,
  type DescribeInvocationsQuery,
  type Instance,
  type Invocation,
  type InvocationResult,
  type InvocationStatus,
  type InvokeStatus,
  isFinalInvocationStatus,
  type ListInstancesQuery,
  type Page,
  type Region,
  type SwasApi,
  type Tag,
} from './types.js';
