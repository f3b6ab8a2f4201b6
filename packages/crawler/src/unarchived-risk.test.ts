import { describe, expect, it } from 'vitest';
import type { InstanceCursor } from './instance-cursor.js';
import { unarchivedRisk } from './unarchived-risk.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const settings = { now: NOW, retentionMs: 14 * DAY, recordCap: 100_000, capScope: 'account' as const };

const cursor = (c: Partial<InstanceCursor>): InstanceCursor => ({
  v: c.hole ? 2 : 1,
  order: 'newest-first',
  edgeIds: [],
  pending: [],
  missingResults: [],
  total: 0,
  ...c,
});

describe('unarchivedRisk', () => {
  it('counts records since the last check by the rate; at risk only those within a day of expiry', () => {
    // Checked 13.5 days ago, 2 records a minute since: 38,880 unarchived, the oldest half day of them at risk.
    const risk = unarchivedRisk(
      {
        'a/r/old': cursor({ windowEnd: NOW - 13.5 * DAY, checkedAt: NOW - 13.5 * DAY, rate: 2 }),
        'a/r/fresh': cursor({ windowEnd: NOW - HOUR, checkedAt: NOW - HOUR, rate: 0 }),
      },
      { ...settings, recordCap: 1e9 },
    );
    const [old, fresh] = risk.instances;
    expect(risk.serverOffsetMs).toBe(0);
    expect(old?.instanceId).toBe('old');
    expect(old?.oldestAgeMs).toBe(13.5 * DAY);
    expect(old?.unarchived).toBeCloseTo(2 * 13.5 * 1440, 6);
    expect(old?.atRisk).toBeCloseTo(2 * 0.5 * 1440, 6);
    expect(fresh?.oldestAgeMs).toBe(HOUR);
    expect([fresh?.unarchived, fresh?.atRisk]).toEqual([0, 0]);
  });

  it('leaves out what has expired already: an instance unchecked for longer than the retention', () => {
    const risk = unarchivedRisk(
      { 'a/r/i': cursor({ windowEnd: NOW - 20 * DAY, checkedAt: NOW - 20 * DAY, rate: 1 }) },
      settings,
    );
    const [i] = risk.instances;
    expect(i?.oldestAgeMs).toBe(14 * DAY);
    expect(i?.unarchived).toBeCloseTo(14 * 1440, 6);
    expect(i?.atRisk).toBeCloseTo(1440, 6);
  });

  it("uses the cap's rotation as the lifetime when it is shorter, from the rates of the cap's scope", () => {
    // 100 records a minute in the account against a cap of 144,000: records live one day, so every
    // record not archived expires within 24 h.
    const stored = {
      'a/r1/busy': cursor({ windowEnd: NOW - 2 * HOUR, checkedAt: NOW - 2 * HOUR, rate: 90 }),
      'a/r2/other': cursor({ windowEnd: NOW - HOUR, checkedAt: NOW - HOUR, rate: 10 }),
    };
    const account = unarchivedRisk(stored, { ...settings, recordCap: 144_000 });
    const busy = account.instances.find((i) => i.instanceId === 'busy');
    expect(busy?.lifetimeMs).toBe(DAY);
    expect(busy?.atRisk).toBeCloseTo(90 * 120, 6);
    // Per region the other region's rate rotates its own cap only: 10 days there.
    const region = unarchivedRisk(stored, { ...settings, recordCap: 144_000, capScope: 'region' });
    expect(region.instances.find((i) => i.instanceId === 'other')?.lifetimeMs).toBe(10 * DAY);
    expect(region.instances.find((i) => i.instanceId === 'other')?.atRisk).toBe(0);
  });

  it("counts a hole's records from its count, spread over its times; a hole from the beginning over what is held", () => {
    const hole = { below: NOW - 13 * DAY, belowIds: [], skip: 500, count: 300 };
    const risk = unarchivedRisk(
      {
        'a/r/open': cursor({ windowEnd: NOW - HOUR, checkedAt: NOW - HOUR, rate: 0, hole }),
        'a/r/bounded': cursor({
          windowEnd: NOW - HOUR,
          checkedAt: NOW - HOUR,
          rate: 0,
          hole: { ...hole, above: NOW - 13.25 * DAY, below: NOW - 12.75 * DAY },
        }),
      },
      settings,
    );
    const open = risk.instances.find((i) => i.instanceId === 'open');
    // Held from 14 days ago to 13: all 300 expire within a day.
    expect([open?.unarchived, open?.atRisk, open?.oldestAgeMs]).toEqual([300, 300, 14 * DAY]);
    const bounded = risk.instances.find((i) => i.instanceId === 'bounded');
    // 13.25 to 12.75 days old: the older half expires within a day.
    expect(bounded?.unarchived).toBe(300);
    expect(bounded?.atRisk).toBeCloseTo(150, 6);
    expect(bounded?.oldestAgeMs).toBe(13.25 * DAY);
  });

  it("puts the server's clock where the freshest walk saw it; never-archived instances age a lifetime; released ones are left out", () => {
    const skew = -200 * DAY; // the service's clock far behind the local one
    const risk = unarchivedRisk(
      {
        'a/r/busy': cursor({ windowEnd: NOW + skew - MIN, checkedAt: NOW - 2 * HOUR, rate: 50 }),
        'a/r/gone': cursor({ windowEnd: NOW + skew - DAY, checkedAt: NOW - DAY, rate: 5, releasedAt: 'x' }),
      },
      { ...settings, listed: [{ account: 'a', regionId: 'r', instanceId: 'new' }] },
    );
    expect(risk.serverOffsetMs).toBe(skew + 2 * HOUR - MIN);
    expect(risk.instances.map((i) => [i.instanceId, i.neverArchived])).toEqual([
      ['new', true],
      ['busy', false],
    ]);
    const busy = risk.instances[1];
    expect(busy?.oldestAgeMs).toBe(2 * HOUR);
    expect(busy?.unarchived).toBeCloseTo(50 * 120, 6);
    expect(busy?.atRisk).toBe(0);
  });
});
