import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import { EXIT } from './exit-status.js';
import { crawlDecisionOf, exitStatusOf, isSwasArchiveError, SwasArchiveError } from './swas-archive-error.js';

class Example extends SwasArchiveError {
  constructor(readonly code: ErrorCode) {
    super(`example ${code}`);
  }
}

describe('the error table', () => {
  it('gives every code an exit status that exists, and never "unexpected" to a code that is not a bug', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(EXIT[info.exit], code).toBeTypeOf('number');
      if (info.exit === 'unexpected') expect(code).toBe('api.invalid-request');
    }
  });

  it('derives exit status, transient and the crawl decision from the code alone', () => {
    expect(exitStatusOf(new Example('api.authentication'))).toBe(3);
    expect(exitStatusOf(new Example('archive.locked'))).toBe(5);
    expect(exitStatusOf(new Example('api.unavailable'))).toBe(7);
    expect(new Example('api.throttled').transient).toBe(true);
    expect(new Example('api.permission').transient).toBe(false);
    expect(crawlDecisionOf(new Example('api.not-found'))).toBe('fail-instance');
    expect(crawlDecisionOf(new Example('api.clock-skew'))).toBe('stop-run');
  });

  it('treats anything that is not ours as unexpected, and stops a crawl on it', () => {
    const bug = new TypeError('x is undefined');
    expect(isSwasArchiveError(bug)).toBe(false);
    expect(exitStatusOf(bug)).toBe(EXIT.unexpected);
    expect(crawlDecisionOf(bug)).toBe('stop-run');
    // A system error has a string code too, but not one of ours.
    const disk = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(isSwasArchiveError(disk)).toBe(false);
    expect(exitStatusOf('a string')).toBe(EXIT.unexpected);
  });

  it('recognises our errors by shape, so a second copy of the package still maps', () => {
    const copy = Object.assign(new Error('locked'), { code: 'archive.locked' });
    expect(exitStatusOf(copy)).toBe(EXIT.locked);
  });
});
