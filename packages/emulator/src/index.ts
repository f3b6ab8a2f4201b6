export { formatApiTime } from './api-time.js';
export { EmulatorAdmin } from './emulator-admin.js';
export type { EmulatorOptions } from './emulator-options.js';
export {
  EmulatorError,
  type EmulatorErrorCode,
  EmulatorOptionsError,
  EmulatorUsageError,
} from './errors.js';
export type { FleetOptions, LiveOptions, RetentionOptions } from './fleet/fleet-options.js';
export type { GroundTruthInstance, GroundTruthInvocation } from './fleet/ground-truth.js';
export {
  INVOCATION_STATUSES,
  type InvocationStatus,
  type InvokeStatus,
  invokeStatusOf,
  isFinalStatus,
} from './fleet/records.js';
export type { AccessKeyConfig } from './http/access-key-config.js';
export { API_VERSION } from './http/api-server.js';
export {
  FAULT_KINDS,
  FAULT_PROFILES,
  type FaultKind,
  type FaultOptions,
  type FaultProfileName,
  type FaultRule,
} from './http/fault-options.js';
export type { BudgetOptions } from './http/rate-budget.js';
export type { RequestLogEntry } from './http/request-log.js';
export { canonicalQuery, percentEncode, signatureV2, signatureV3 } from './http/signature.js';
export { type RunningEmulator, startEmulator } from './start-emulator.js';
export type { ClockOptions } from './virtual-clock.js';
