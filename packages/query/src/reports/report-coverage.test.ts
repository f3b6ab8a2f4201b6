import { describe, expect, it } from 'vitest';
import { uncoveredParts } from './report-coverage.js';

const at = { account: 'a', region_id: 'cn-hangzhou', instance_id: 'i1' };
const other = { ...at, instance_id: 'i2' };
const w = (s: string, e: string, where = at) => ({
  ...where,
  window_start: `${s}T00:00:00.000Z`,
  window_end: `${e}T00:00:00.000Z`,
});

describe('uncoveredParts', () => {
  it('before the first window and between windows; nothing after the last; all of it without a window', () => {
    const got = uncoveredParts(
      [at, other],
      [w('2026-05-03', '2026-05-05'), w('2026-05-07', '2026-05-09')],
      '2026-05-01T00:00:00.000Z',
      '2026-05-20T00:00:00.000Z',
    );
    expect(got).toEqual([
      w('2026-05-01', '2026-05-03'),
      w('2026-05-05', '2026-05-07'),
      w('2026-05-01', '2026-05-20', other),
    ]);
  });

  it('windows spanning the period leave nothing uncovered', () => {
    expect(
      uncoveredParts(
        [at],
        [w('2026-05-01', '2026-05-10')],
        '2026-05-01T00:00:00.000Z',
        '2026-05-10T00:00:00.000Z',
      ),
    ).toEqual([]);
  });
});
