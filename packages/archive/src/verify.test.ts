import { open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyArchive } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

describe('verify', () => {
  it('names a file with one flipped byte, a deleted file and a stray file', async () => {
    await withArchive(async (a, root) => {
      const s = a.beginSnapshot('run-1');
      await s.addObservations(makeObservations(400, AT));
      await s.commit();
      const [flipped, deleted] = a.catalog.files;
      if (!flipped || !deleted) throw new Error('expected two files at least');
      const handle = await open(join(root, flipped.path), 'r+');
      const middle = Math.floor(flipped.bytes / 2);
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, middle);
      await handle.write(Buffer.from([(byte[0] as number) ^ 0xff]), 0, 1, middle);
      await handle.close();
      await unlink(join(root, deleted.path));
      await writeFile(join(root, 'invocation_observations', 'stray.parquet'), 'not ours');
      const report = await verifyArchive(root);
      expect(report.ok).toBe(false);
      expect(report.corrupt).toEqual([{ path: flipped.path, reason: 'SHA-256 differs from the catalog' }]);
      expect(report.missing).toEqual([deleted.path]);
      expect(report.unexpected).toEqual(['invocation_observations/stray.parquet']);
    });
  });
});
