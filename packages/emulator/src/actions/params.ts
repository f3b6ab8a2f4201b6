import { invalidParameter, missingParameter } from '../errors.js';

/** A request's parameters by name, decoded (query and form body together). */
export type Params = Readonly<Record<string, string>>;

/** A mandatory parameter; absent or empty answers `MissingParameter`. */
export function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

/** An integer parameter within [min, max], or its default when absent. */
export function integer(
  params: Params,
  name: string,
  defaultValue: number,
  min: number,
  max: number,
): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return defaultValue;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidParameter(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** A parameter that must be one of `allowed`, or undefined when absent. */
export function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw))
    throw invalidParameter(name, raw, `one of ${allowed.join(', ')}`);
  return raw as T;
}

/** A parameter holding a JSON value (e.g. `InstanceIds`, `Parameters`). */
export function json(params: Params, name: string): unknown {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw invalidParameter(name, raw, 'a JSON value');
  }
}
