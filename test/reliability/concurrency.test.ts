import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { crawlOnce, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import type { CliResult } from '../helpers/run-cli.js';
import { proveComplete, runArchiveJob, seeded } from './reliability-harness.js';

const fleet = {
  seed: 71,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 4, invocations: 3000 },
};

/** What one in-process reader saw: the latest state and the history as of one catalog. */
async function readOnce(root: string, pauseMs: number): Promise<string | undefined> {
  let session: QuerySession;
  try {
    session = await QuerySession.open(root);
  } catch {
    return undefined; // no catalog yet
  }
  try {
    // A commit or a compaction may land between the open and the read: the reader keeps its snapshot.
    await sleep(pauseMs);
    const { rows } = await session.run(
      `SELECT (SELECT count(*) FROM invocations) AS latest,
              (SELECT count(DISTINCT invoke_id) FROM invocation_history) AS history,
              (SELECT count(*) FROM invocation_history) AS observations`,
    );
    const r = rows[0] as Record<string, unknown>;
    const rowsInCatalog = session.catalog.files
      .filter((f) => f.table === 'invocation_observations')
      .reduce((n, f) => n + f.rows, 0);
    if (r.latest !== r.history || Number(r.observations) !== rowsInCatalog)
      return `a mix: ${JSON.stringify(r)}, catalog rows ${rowsInCatalog}`;
    return 'ok';
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    session.close();
  }
}

describe('concurrency: one writer, readers never blocked and never shown a mix', () => {
  it('a second archive job exits 5 at once; the first is unharmed; readers during commits see whole snapshots', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const random = seeded(71);
        let second: Promise<CliResult> | undefined;
        let running = true;
        const first = runArchiveJob(emu, root, {
          flags: ['--budget', 'DescribeInvocations=1200', '--commit-interval', '0.3', '--log-level', 'debug'],
          // No compaction while readers run: one that retires files a reader's catalog still lists makes that
          // reader fail ("No files found"), a known defect this suite found (see test/README.md).
          config: { compaction: { above: 0 } },
          onSpawn: (child) => {
            // The second job starts once the first holds the lock.
            const onData = (d: Buffer) => {
              if (second || !d.toString().includes('archive-opened')) return;
              second = runArchiveJob(emu, root);
            };
            child.stderr?.on('data', onData);
            void once(child, 'exit').then(() => {
              running = false;
            });
          },
        });
        const seen: string[] = [];
        while (running) {
          // Read at once after the open: a pause lets a commit retire a file the reader's catalog lists (the
          // defect `it.fails` below pins down).
          const r = await readOnce(root, random() * 5);
          if (r) seen.push(r);
        }
        const a = await first;
        expect(a.code, a.stderr).toBe(0);
        expect(second).toBeDefined();
        const b = await (second as Promise<CliResult>);
        expect(b.code).toBe(5);
        expect(b.stderr).toMatch(/another swas-archive writer holds the archive/);
        // Readers of many catalogs, with commits and compactions between their open and their read.
        expect(seen.filter((s) => s !== 'ok')).toEqual([]);
        expect(seen.length).toBeGreaterThan(3);
        const catalog = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as {
          snapshots: { kind: string }[];
        };
        expect(catalog.snapshots.filter((s) => s.kind === 'ingest').length).toBeGreaterThan(3);
        const proof = await proveComplete(emu, root);
        expect(proof.problems).toEqual([]);
        console.info(`concurrency: ${seen.length} reads, ${catalog.snapshots.length} snapshots`);
      });
    });
  }, 300_000);

  // Found by this suite, not fixed yet: a commit that rewrites a latest-state partition (any ingest that
  // changes an invocation) or a compaction moves the files it retires to `_trash/` at once, so a reader
  // that loaded the previous catalog and reads after the commit fails with DuckDB's "No files found"
  // (exit 1) instead of finishing on its snapshot. `it.fails` turns red once it is fixed: then make it `it`.
  it.fails('a session opened before a commit that retires files still reads its snapshot', async () => {
    await withEmulator({ ...fleet, fleet: { ...fleet.fleet, invocations: 600 } }, async (emu) => {
      await withArchiveRoot(async (root) => {
        await crawlOnce(emu, root);
        const session = await QuerySession.open(root);
        try {
          emu.admin.advance(3_600_000); // running invocations finish: their latest state changes
          expect((await crawlOnce(emu, root)).recordsChanged).toBeGreaterThan(0);
          const { rows } = await session.run('SELECT count(*) AS n FROM invocations');
          expect(Number(rows[0]?.n)).toBe(600);
        } finally {
          session.close();
        }
      });
    });
  });
});
