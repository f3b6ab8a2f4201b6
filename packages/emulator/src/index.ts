export type { EmulatorAdmin, SeededInvocation } from './emulator-admin.js';
export type { EmulatorOptions } from './emulator-options.js';
export {
  EmulatorError,
  type EmulatorErrorCode,
  EmulatorOptionsError,
  EmulatorUsageError,
} from './errors.js';
export type { FleetOptions, LiveOptions, RetentionOptions } from './fleet/fleet-options.js';
export type { GroundTruthInstance, GroundTruthInvocation } from './fleet/ground-truth.js';
export type { ExpiryReason } from './fleet/records.js';
export type { AccessKeyConfig } from './http/access-key-config.js';
export type { FaultKind, FaultOptions, FaultProfileName, FaultRule } from './http/fault-options.js';
export type { BudgetOptions } from './http/rate-budget.js';
export type { RequestLogEntry } from './http/request-log.js';
export { canonicalQuery, signatureV2 } from './http/signature.js';
export { type RunningEmulator, startEmulator } from './start-emulator.js';
export type { ClockOptions } from './virtual-clock.js';
