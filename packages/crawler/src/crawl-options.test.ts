import type { SwasApi } from '@swas-archive/client';
import { describe, expect, it } from 'vitest';
import type { ArchiveWriter } from './archive-writer.js';
import { type CrawlOptions, resolveCrawlOptions } from './crawl-options.js';
import { CrawlConfigurationError } from './errors.js';

const archive = { cursors: {}, beginSnapshot: () => ({}) } as unknown as ArchiveWriter;
const api = {} as SwasApi;
const base: CrawlOptions = { accounts: [{ name: 'prod', api }], archive };
const startedAt = new Date('2026-05-01T12:34:56.789Z');

describe('resolveCrawlOptions', () => {
  it('fills in every default once', () => {
    const o = resolveCrawlOptions(base, startedAt);
    expect(o).toMatchObject({
      withResults: false,
      full: false,
      retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 },
      instanceDeadlineMs: 600_000,
      commitEvery: 100_000,
      retentionMs: 14 * 86_400_000,
      runId: 'run-20260501T123456789Z',
      budgets: { safetyMs: 1000, windowMs: 60_000, accounts: {} },
    });
    expect(o.regions).toBeUndefined();
    expect(o.instances).toBeUndefined();
    expect(() => o.onEvent({ type: 'region', account: 'prod', regionId: 'r', instances: 0 })).not.toThrow();
  });

  it('keeps what was given', () => {
    const o = resolveCrawlOptions({ ...base, runId: 'r1', retry: { attempts: 2 }, full: true }, startedAt);
    expect(o).toMatchObject({ runId: 'r1', full: true, retry: { attempts: 2, baseDelayMs: 500 } });
  });

  const refused: [string, Partial<CrawlOptions>, string, RegExp][] = [
    ['no account', { accounts: [] }, 'accounts', /at least one account/],
    ['a bad account name', { accounts: [{ name: 'a b', api }] }, 'accounts', /account name "a b"/],
    [
      'two accounts of one name',
      {
        accounts: [
          { name: 'a', api },
          { name: 'a', api },
        ],
      },
      'accounts',
      /distinct/,
    ],
    ['commitEvery 0', { commitEvery: 0 }, 'commitEvery', /`commitEvery` to be a number > 0, got 0/],
    ['a NaN deadline', { instanceDeadlineMs: Number.NaN }, 'instanceDeadlineMs', /got NaN/],
    ['a negative retention', { retentionMs: -1 }, 'retentionMs', /got -1/],
    ['no attempts', { retry: { attempts: 0 } }, 'retry.attempts', /got 0/],
    [
      'an unknown action',
      { budgets: { callsPerMinute: { Nope: 1 } as never } },
      'budgets.callsPerMinute',
      /Nope/,
    ],
    [
      'a fractional budget',
      { budgets: { inFlight: { ListRegions: 1.5 } } },
      'budgets.inFlight.ListRegions',
      /1.5/,
    ],
    ['a short window', { budgets: { windowMs: 10 } }, 'budgets.windowMs', />= 1000/],
    ['a negative safety', { budgets: { safetyMs: -1 } }, 'budgets.safetyMs', />= 0/],
  ];
  for (const [what, extra, option, message] of refused) {
    it(`refuses ${what}, naming the option`, () => {
      let error: unknown;
      try {
        resolveCrawlOptions({ ...base, ...extra }, startedAt);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CrawlConfigurationError);
      expect(error).toMatchObject({ option, code: 'crawl.configuration' });
      expect((error as Error).message).toMatch(message);
    });
  }
});
