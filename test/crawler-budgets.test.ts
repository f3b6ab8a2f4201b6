import { describe, expect, it } from 'vitest';
import { quietFleet } from './helpers/fleets.js';
import {
  archivedInvocations,
  archiveVersusTruth,
  busiestWindow,
  clientOf,
  crawlOnce,
  withArchiveRoot,
  withEmulator,
} from './helpers/harness.js';

describe('budgets', () => {
  it('never exceeds a budget in any window, and is never throttled at the right budget', async () => {
    const windowMs = 1500;
    await withEmulator(
      quietFleet({ budgets: { perAction: { DescribeInvocations: 6 }, windowMs } }),
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const report = await crawlOnce(emu, root, {
            budgets: {
              callsPerMinute: { DescribeInvocations: 6 },
              windowMs,
              // Room for the drift between the client's count (when sent) and the server's (when it arrives).
              safetyMs: 500,
              inFlight: { DescribeInvocations: 3 },
            },
          });
          expect(report.outcome).toBe('complete');
          expect(report.throttles).toBe(0);
          expect(busiestWindow(emu, 'DescribeInvocations', windowMs)).toBeLessThanOrEqual(6);
          expect(report.callsByAction.DescribeInvocations).toBeGreaterThan(2 * 6);
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
        });
      },
    );
  });

  it('slows down when the real limit is lower than its budget, and still archives everything', async () => {
    const windowMs = 1500;
    await withEmulator(
      quietFleet({ budgets: { perAction: { DescribeInvocations: 5 }, windowMs } }),
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const report = await crawlOnce(emu, root, {
            budgets: {
              callsPerMinute: { DescribeInvocations: 10 },
              windowMs,
              safetyMs: 100,
              inFlight: { DescribeInvocations: 2 },
            },
            retry: { attempts: 30, baseDelayMs: 20, maxDelayMs: 200 },
          });
          expect(report.outcome).toBe('complete');
          expect(report.throttles).toBeGreaterThan(0);
          // Throttled calls are a small share: the crawler settles under the limit instead of hammering.
          expect(report.throttles / report.callsByAction.DescribeInvocations).toBeLessThan(0.25);
          expect(await archiveVersusTruth(emu, root)).toEqual([]);
        });
      },
    );
  });
});

describe('several accounts', () => {
  it('crawls each account with its own client and its own budgets, rows keyed by account', async () => {
    const windowMs = 1500;
    const keys = [
      { accessKeyId: 'LTAI5tAccountOne', accessKeySecret: 'secret-of-account-one' },
      { accessKeyId: 'LTAI5tAccountTwo', accessKeySecret: 'secret-of-account-two' },
    ];
    await withEmulator(
      quietFleet({ credentials: keys, budgets: { perAction: { DescribeInvocations: 8 }, windowMs } }),
      async (emu) => {
        await withArchiveRoot(async (root) => {
          const { openArchive } = await import('@swas-archive/archive');
          const { crawl } = await import('@swas-archive/crawler');
          const archive = await openArchive({ root });
          try {
            const report = await crawl({
              accounts: keys.map((k, i) => ({
                name: `acct-${i + 1}`,
                api: clientOf(emu, { credentials: k }),
              })),
              archive,
              budgets: {
                callsPerMinute: { DescribeInvocations: 8 },
                windowMs,
                // A call is counted by the client when sent and by the server when it arrives: on a loaded
                // machine the two drift apart by more than 100 ms, and a server window then sees a ninth.
                safetyMs: 500,
                inFlight: { DescribeInvocations: 2 },
              },
            });
            expect(report.outcome).toBe('complete');
            expect(report.throttles).toBe(0);
          } finally {
            await archive.close();
          }
          // Each key kept to its own budget; together they made twice the calls one would.
          const log = emu.admin.requestLog().filter((e) => e.action === 'DescribeInvocations');
          expect(new Set(log.map((e) => e.accessKeyId))).toEqual(new Set(keys.map((k) => k.accessKeyId)));
          expect(busiestWindow(emu, 'DescribeInvocations', windowMs)).toBeLessThanOrEqual(8);
          const archived = await archivedInvocations(root);
          const session = await (await import('@swas-archive/query')).QuerySession.open(root);
          try {
            const { rows } = await session.run(
              'SELECT account, count(*) AS n FROM invocations GROUP BY 1 ORDER BY 1',
            );
            const held = emu.admin.groundTruth().filter((t) => !t.expiredAt).length;
            expect(rows).toEqual([
              { account: 'acct-1', n: held },
              { account: 'acct-2', n: held },
            ]);
          } finally {
            session.close();
          }
          expect(archived.size).toBe(emu.admin.groundTruth().filter((t) => !t.expiredAt).length);
        });
      },
    );
  });
});
