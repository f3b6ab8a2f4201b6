import {
  archivedInvocations,
  archivedRow,
  crawlOnce,
  truthRow,
  withArchiveRoot,
  withEmulator,
} from './helpers/harness.js';

await withEmulator(
  {
    seed: 5,
    clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 3, invocations: 1500 },
  },
  async (emu) => {
    await withArchiveRoot(async (root) => {
      const r1 = await crawlOnce(emu, root, {
        onEvent: (e) => e.type !== 'instance-done' && console.log(JSON.stringify(e)),
      });
      console.log(
        r1.outcome,
        r1.callsByAction,
        r1.recordsNew,
        r1.instancesComplete,
        r1.incomplete,
        r1.gaps.length,
      );
      const arch = await archivedInvocations(root);
      const truth = emu.admin.groundTruth().filter((t) => !t.expiredAt);
      let diff = 0;
      for (const t of truth) {
        const a = arch.get(t.invokeId);
        if (!a || JSON.stringify(archivedRow(a)) !== JSON.stringify(truthRow(t))) {
          if (diff++ < 3) console.log('diff', truthRow(t), a && archivedRow(a));
        }
      }
      console.log('truth', truth.length, 'archived', arch.size, 'diffs', diff);
      emu.admin.advance(3_600_000);
      const r2 = await crawlOnce(emu, root);
      console.log(
        r2.outcome,
        r2.callsByAction,
        r2.recordsNew,
        r2.recordsChanged,
        r2.gaps.map((g) => g.gapReason),
      );
    });
  },
);
