import { describe, expect, it } from 'vitest';
import { jobPeriod } from './job-period.js';

const now = new Date('2026-11-14T08:30:00Z');

describe('jobPeriod', () => {
  it('by default ends now (failure-trends) or at this UTC midnight (compliance-export), and names its days', () => {
    expect(jobPeriod({ days: 30, untilDefault: 'now', now })).toEqual({
      since: new Date('2026-10-15T08:30:00Z'),
      until: now,
      firstDay: '2026-10-15',
      lastDay: '2026-11-14',
    });
    expect(jobPeriod({ days: 1, untilDefault: 'today', now })).toEqual({
      since: new Date('2026-11-13T00:00:00Z'),
      until: new Date('2026-11-14T00:00:00Z'),
      firstDay: '2026-11-13',
      lastDay: '2026-11-13',
    });
  });

  it('a date alone as until includes that day; since overrides days', () => {
    const p = jobPeriod({ days: 7, until: '2026-04-30', untilDefault: 'today', now });
    expect([p.since.toISOString(), p.until.toISOString(), p.firstDay, p.lastDay]).toEqual([
      '2026-04-24T00:00:00.000Z',
      '2026-05-01T00:00:00.000Z',
      '2026-04-24',
      '2026-04-30',
    ]);
    const q = jobPeriod({ days: 7, since: '2026-01-01', until: '2026-03-31', untilDefault: 'today', now });
    expect([q.firstDay, q.lastDay]).toEqual(['2026-01-01', '2026-03-31']);
  });

  it('refuses a period that is empty or a number of days that is not whole and positive, saying which', () => {
    expect(() => jobPeriod({ days: 0, untilDefault: 'now', now })).toThrow(/days must be a whole number/);
    expect(() => jobPeriod({ days: 1.5, untilDefault: 'now', now })).toThrow(/days must be a whole number/);
    expect(() =>
      jobPeriod({ days: 1, since: '2026-12-01', until: '2026-11-01', untilDefault: 'now', now }),
    ).toThrow(/the period is empty: since \(2026-12-01T00:00:00.000Z\) must be before until/);
    expect(() => jobPeriod({ days: 1, until: 'yesterday', untilDefault: 'now', now })).toThrow(
      /until must be/,
    );
  });
});
