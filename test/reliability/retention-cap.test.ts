import type { EmulatorOptions, RunningEmulator } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { archiveVersusTruth, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { runCli } from '../helpers/run-cli.js';
import { runArchiveJob } from './reliability-harness.js';

const DAY = 86_400_000;

/** Two regions of one instance each, frozen: time passes only when the test says so. */
const fleet = (extra: EmulatorOptions = {}): EmulatorOptions => ({
  seed: 51,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 1, invocations: 400 },
  ...extra,
});

/** `count` commands on `instanceId`, `everyMs` of virtual time apart. */
function commands(emu: RunningEmulator, instanceId: string, count: number, everyMs: number): void {
  for (let i = 0; i < count; i++) {
    emu.admin.runCommand(instanceId, {
      name: 'between-runs',
      type: 'RunShellScript',
      content: 'echo hi',
      timeoutSeconds: 60,
    });
    emu.admin.advance(everyMs);
  }
}

/** Rows of a view, as plain objects. */
async function rowsOf(root: string, sql: string): Promise<Record<string, unknown>[]> {
  const session = await QuerySession.open(root);
  try {
    return (await session.run(sql)).rows;
  } finally {
    session.close();
  }
}

const ms = (v: unknown) => Date.parse(String(v));

/**
 * The second run must name the gap of each instance in `gapped` (and of no other) with `reason`, from
 * where the first run's coverage ended to the oldest record held now, exit 4; `gaps` lists it and
 * `health` fails. Everything else equals the truth.
 */
async function expectGaps(emu: RunningEmulator, root: string, gapped: string[], reason: string) {
  const firstEnd = new Map(
    (await rowsOf(root, 'SELECT instance_id, window_end FROM coverage')).map((r) => [
      String(r.instance_id),
      ms(r.window_end),
    ]),
  );
  const second = await runArchiveJob(emu, root);
  expect(second.code, second.stderr).toBe(4);
  const gaps = await rowsOf(root, 'SELECT instance_id, gap_start, gap_end, gap_reason, resolved FROM gaps');
  expect(gaps.map((g) => String(g.instance_id)).sort()).toEqual([...gapped].sort());
  for (const id of gapped) {
    const g = gaps.find((x) => x.instance_id === id) as Record<string, unknown>;
    const held = emu.admin.groundTruth().filter((t) => t.instanceId === id && !t.expiredAt);
    const oldestHeld = Math.min(...held.map((t) => Date.parse(t.creationTime)));
    expect([g.gap_reason, ms(g.gap_start), ms(g.gap_end), g.resolved]).toEqual([
      reason,
      firstEnd.get(id),
      oldestHeld,
      false,
    ]);
    const listed = await runCli(['gaps', '--data', root]);
    expect(listed.stdout).toMatch(new RegExp(`${id}.*${reason}`));
  }
  const health = await runCli(['health', '--data', root]);
  expect(health.code).toBe(8);
  expect(health.stdout).toMatch(/unhealthy: .*gap/);
  // What vanished unseen lies inside the gaps; everything held is archived exactly.
  expect(await archiveVersusTruth(emu, root)).toEqual([]);
}

describe('retention and the record cap between runs', () => {
  it('the clock advanced 20 days: each instance whose archived records all expired has an expired-unseen gap', async () => {
    await withEmulator(fleet(), async (emu) => {
      await withArchiveRoot(async (root) => {
        expect((await runArchiveJob(emu, root)).code).toBe(0);
        const [busy, quiet] = emu.admin.instances().map((i) => i.instanceId) as [string, string];
        emu.admin.advance(DAY);
        commands(emu, busy, 30, 60_000); // never seen: they expire before the next run
        emu.admin.advance(20 * DAY);
        commands(emu, busy, 5, 60_000);
        commands(emu, quiet, 5, 60_000);
        const unseen = emu.admin.groundTruth().filter((t) => t.commandName === 'between-runs' && t.expiredAt);
        expect(unseen.length).toBe(30);
        await expectGaps(emu, root, [busy, quiet], 'expired-unseen');
      });
    });
  });

  it('the 100,000-style cap rotating records out between runs: a cap-rotated gap on that instance only', async () => {
    await withEmulator(fleet({ retention: { maxRecords: 600, capScope: 'region' } }), async (emu) => {
      await withArchiveRoot(async (root) => {
        expect((await runArchiveJob(emu, root)).code).toBe(0);
        const [busy] = emu.admin.instances().map((i) => i.instanceId) as [string];
        commands(emu, busy, 900, 20_000); // its region keeps 600: the first 300 rotate out unseen
        const rotated = emu.admin
          .groundTruth()
          .filter((t) => t.commandName === 'between-runs' && t.expiryReason === 'cap');
        expect(rotated.length).toBe(300);
        await expectGaps(emu, root, [busy], 'cap-rotated');
      });
    });
  });
});
