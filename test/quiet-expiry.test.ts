import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, crawlOnce, withArchiveRoot } from './helpers/harness.js';

const H = 3_600_000;
const MINUTE = 60_000;
const COMMAND = { name: 'x', type: 'RunShellScript' as const, content: 'true', timeoutSeconds: 60 };
const START = Date.parse('2026-06-01T00:00:00Z');
const at = (ms: number) => new Date(START + ms).toISOString();

/** The gaps of `instanceId`, as `start .. end` (ISO times). */
async function gapsOf(root: string, instanceId: string): Promise<string[]> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run(
      'SELECT gap_start, gap_end FROM gaps WHERE instance_id = $id ORDER BY gap_start',
      { id: instanceId },
    );
    return rows.map((r) => `${r.gap_start} .. ${r.gap_end}`);
  } finally {
    session.close();
  }
}

/**
 * A fleet of two on a frozen clock from 2026-06-01T00:00Z, records kept 12 h (and at most `maxRecords` a
 * region): a quiet instance that runs a command when told, and a busy one that runs one every 10 minutes
 * of `tick`, so that the crawl sees how far the service's clock has gone.
 */
async function withFleet(
  maxRecords: number | undefined,
  fn: (fleet: {
    emu: RunningEmulator;
    root: string;
    quiet: string;
    command: () => void;
    tick: (ms: number, every?: number) => void;
    crawl: () => Promise<string>;
  }) => Promise<void>,
): Promise<void> {
  await withArchiveRoot(async (root) => {
    const emu = await startEmulator({
      seed: 3,
      clock: { start: at(0), speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 2, invocations: 0 },
      retention: { maxAgeMs: 12 * H, ...(maxRecords ? { maxRecords, capScope: 'region' as const } : {}) },
    });
    try {
      const [quiet, busy] = emu.admin.instances().map((i) => i.instanceId) as [string, string];
      await fn({
        ...{ emu, root, quiet },
        command: () => emu.admin.runCommand(quiet, COMMAND),
        tick: (ms, every = 10 * MINUTE) => {
          for (let t = 0; t < ms; t += every) {
            emu.admin.advance(every);
            emu.admin.runCommand(busy, COMMAND);
          }
        },
        // On the emulator's clock, told the service's retention and cap.
        crawl: async () =>
          (
            await crawlOnce(emu, root, {
              clock: { now: () => emu.admin.now(), sleep: (ms) => sleep(ms) },
              ...{ retentionMs: 12 * H, recordCap: maxRecords ?? 100_000, capScope: 'region' },
            })
          ).outcome,
      });
    } finally {
      await emu.close();
    }
  });
}

/**
 * A quiet instance: its archived records expire, and the instance holds nothing, or only newer records,
 * when it is next walked. Records may have vanished since it was last walked to the end (on the service's
 * clock, as the records the crawl saw then tell it), not since its newest archived record was created.
 */
describe('an instance whose archived records expired', () => {
  it('is a gap from what the last walk proved, not from its newest record', async () => {
    await withFleet(undefined, async ({ emu, root, quiet, command, tick, crawl }) => {
      command();
      tick(H);
      await crawl();
      tick(H);
      await crawl();
      // Created after the walk at 2 h, expired at 15 h, before the next walk at 16 h.
      tick(H);
      command();
      tick(13 * H);
      expect(await crawl()).toBe('partial');
      // From the newest record the crawl had seen when the walk at 2 h began (the service's time then, at
      // least: the busy instance's of 1 h, or of 2 h if it was walked first), not from the quiet instance's
      // own record of 0 h; to the walk that found it, the instance holding nothing.
      const [gap, ...more] = await gapsOf(root, quiet);
      expect(more).toEqual([]);
      const [start, end] = (gap ?? '').split(' .. ');
      expect([start, end]).toEqual([expect.stringMatching(/^2026-06-01T0(1|2):00/), at(16 * H)]);
      expect(await archiveVersusTruth(emu, root)).toEqual([]);
    });
  });

  it('is a gap when the cap may rotate records out sooner, however soon the next walk comes', async () => {
    await withFleet(100, async ({ emu, root, quiet, command, tick, crawl }) => {
      command();
      tick(H, 72_000);
      await crawl();
      tick(5 * MINUTE, 5 * MINUTE);
      await crawl();
      // A quiet record of 1 h 15 min: 120 busy records later, the cap of 100 has rotated it out.
      tick(10 * MINUTE, 10 * MINUTE);
      command();
      tick(H, 30_000);
      await crawl();
      expect(await gapsOf(root, quiet)).toEqual([
        expect.stringMatching(
          new RegExp(`^(${at(H)}|${at(H + 5 * MINUTE)}) \\.\\. ${at(2 * H + 15 * MINUTE)}$`),
        ),
      ]);
      expect(await archiveVersusTruth(emu, root)).toEqual([]);
    });
  });
});
