import { EmulatorOptionsError } from './errors.js';

// Each check returns the value it was given, so that options are validated where they are resolved:
// `maxRecords: positiveInt('retention.maxRecords', given ?? 100_000)`.

/** `value` if it is an integer, else an {@link EmulatorOptionsError} naming `option`. */
export function integer(option: string, value: number): number {
  if (!Number.isInteger(value)) fail(option, `to be an integer, got ${value}`);
  return value;
}

/** `value` if it is a finite number > 0. */
export function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) fail(option, `to be a finite number > 0, got ${value}`);
  return value;
}

/** `value` if it is an integer > 0. */
export function positiveInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) fail(option, `to be an integer > 0, got ${value}`);
  return value;
}

/** `value` if it is a finite number >= 0. */
export function nonNegative(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) fail(option, `to be a finite number >= 0, got ${value}`);
  return value;
}

/** `value` if it is an integer >= 0. */
export function nonNegativeInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) fail(option, `to be an integer >= 0, got ${value}`);
  return value;
}

/** `value` if it lies in [0, 1]. */
export function fraction(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) fail(option, `to be between 0 and 1, got ${value}`);
  return value;
}

function fail(option: string, expectation: string): never {
  throw new EmulatorOptionsError(option, `Expected \`${option}\` ${expectation}`);
}
