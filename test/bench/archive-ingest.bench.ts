import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import { fleetObservations } from '../helpers/fleet-observations.js';
import type { BenchResult } from './results.js';

/** In-memory observation batches to committed Parquet, through the full commit protocol.
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function archiveIngest(): Promise<BenchResult> {
  const count = 300_000;
  const batch = 50_000;
  const obs = await fleetObservations({
    seed: 7,
    fleet: { regions: 4, instancesPerRegion: 25, invocations: count },
  });
  const root = await mkdtemp(join(tmpdir(), 'bench-ingest-'));
  try {
    const archive = await openArchive({ root });
    try {
      const started = performance.now();
      const snapshot = archive.beginSnapshot('bench-1');
      for (let i = 0; i < obs.length; i += batch) await snapshot.addObservations(obs.slice(i, i + batch));
      const staged = performance.now();
      const first = await snapshot.commit();
      const done = performance.now();
      // The same observations again, an hour later: nothing new to write, everything checked.
      const later = new Date(Date.now() + 3_600_000);
      const again = archive.beginSnapshot('bench-2');
      const againStarted = performance.now();
      for (let i = 0; i < obs.length; i += batch) {
        await again.addObservations(obs.slice(i, i + batch).map((o) => ({ ...o, observedAt: later })));
      }
      const second = await again.commit();
      const againDone = performance.now();
      if (second.rows.invocation_observations) throw new Error('the unchanged re-commit wrote rows');
      const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
      return {
        bench: 'archive-ingest',
        figures: [
          {
            name: 'ingest to committed Parquet',
            value: rate(count, done - started),
            unit: 'observations/s',
            goal: { value: 300_000, better: 'higher' },
            note: `${count.toLocaleString('en-US')} new observations, batches of ${batch.toLocaleString('en-US')}`,
          },
          { name: 'staging (JS → DuckDB)', value: Math.round(staged - started), unit: 'ms' },
          { name: 'dedupe against the archive', value: first.timingsMs.dedupe, unit: 'ms' },
          {
            name: 'Parquet write (sort, partition, zstd, fsync, sha256)',
            value: first.timingsMs.write,
            unit: 'ms',
          },
          { name: 'publish (journal, rename, catalog)', value: first.timingsMs.publish, unit: 'ms' },
          {
            name: 're-commit of the same invocations unchanged',
            value: rate(count, againDone - againStarted),
            unit: 'observations/s',
            note: 'all skipped as already archived',
          },
        ],
      };
    } finally {
      await archive.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
