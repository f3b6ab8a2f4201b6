import { describe, expect, it } from 'vitest';
import { ReportOptionsError } from '../errors.js';
import { resolveScope } from './report-options.js';
import { parseInstant, parseSpan } from './report-period.js';

const now = new Date('2026-11-28T12:34:56Z');

describe('report periods', () => {
  it('reads dates, ISO times, now and spans back from now', () => {
    expect(parseInstant('2026-11-14', now, 'since').toISOString()).toBe('2026-11-14T00:00:00.000Z');
    expect(parseInstant('2026-11-14', now, 'until', true).toISOString()).toBe('2026-11-15T00:00:00.000Z');
    expect(parseInstant('2026-11-14T08:00:00Z', now, 'since').toISOString()).toBe('2026-11-14T08:00:00.000Z');
    expect(parseInstant('2026-11-14T10:00:00+02:00', now, 'since').toISOString()).toBe(
      '2026-11-14T08:00:00.000Z',
    );
    // No zone: UTC, like everything in a report.
    expect(parseInstant('2026-11-14 08:00', now, 'since').toISOString()).toBe('2026-11-14T08:00:00.000Z');
    expect(parseInstant('now', now, 'until')).toEqual(now);
    expect(parseInstant('30d', now, 'since').toISOString()).toBe('2026-10-29T12:34:56.000Z');
    expect(parseInstant('12h', now, 'since').toISOString()).toBe('2026-11-28T00:34:56.000Z');
    expect(parseInstant('2w', now, 'since').toISOString()).toBe('2026-11-14T12:34:56.000Z');
  });

  it('reads spans', () => {
    expect(parseSpan('90s', 'olderThan')).toBe(90_000);
    expect(parseSpan('30m', 'olderThan')).toBe(1_800_000);
    expect(parseSpan('1h', 'olderThan')).toBe(3_600_000);
    expect(parseSpan(5000, 'olderThan')).toBe(5000);
  });

  it('refuses what it cannot read, naming the option and the forms it takes', () => {
    for (const bad of [
      'yesterday',
      '2026-13-45',
      '2026-02-30',
      '2026-04-31',
      '30',
      '30y',
      "2026-11-14' OR '1'='1",
    ]) {
      expect(() => parseInstant(bad, now, 'since')).toThrow(ReportOptionsError);
      expect(() => parseInstant(bad, now, 'since')).toThrow(/since must be a date \(2026-11-01\)/);
    }
    expect(() => parseSpan('0h', 'olderThan')).toThrow(/olderThan must be a span/);
    expect(() => parseSpan(-1, 'olderThan')).toThrow(ReportOptionsError);
  });

  it('defaults to the last 30 days and refuses an empty period', () => {
    const scope = resolveScope({ now });
    expect(scope.since.toISOString()).toBe('2026-10-29T12:34:56.000Z');
    expect(scope.until).toEqual(now);
    expect(() => resolveScope({ now, since: '2026-11-20', until: '2026-11-19' })).toThrow(
      /the period is empty/,
    );
    expect(new ReportOptionsError('x', 'since').code).toBe('query.options');
  });
});
