import { expect } from 'vitest';
import type { SwasApiError } from '../errors.js';

/** A secret planted in tests: it must never appear in anything a user may see. */
export const SECRET = 'planted-secret-Zq8vR2xK7mN4pL';
/** An STS token planted in tests, the same. */
export const TOKEN = 'CAIS-planted-sts-token-9f8e7d';

/** The error `promise` rejects with, checked to hold no secret, token or signature. */
export async function failure(promise: Promise<unknown>): Promise<SwasApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const e = error as SwasApiError;
  // No secret, token or signature in anything a user may see.
  for (const text of [e.message, e.stack ?? '', JSON.stringify(e), String(e.cause ?? '')]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toMatch(/Signature=[^*]/);
  }
  return e;
}
