import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaging, PARTIAL_MARKER } from './staging-folder.js';

let dir: string;
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-staging-'));
  archive = join(dir, 'archive');
  await mkdir(archive);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createStaging', () => {
  it('an --out filled while the export ran: the finished export is kept where the message says', async () => {
    const out = join(dir, 'filled');
    const staging = await createStaging(out, archive);
    await writeFile(join(staging.path, 'part-00001.csv'), 'a\n');
    await mkdir(out);
    await writeFile(join(out, 'theirs.txt'), 'x');
    await expect(staging.publish()).rejects.toThrow(`the finished export is left in ${staging.path}`);
    // What the export does on any error: discard. The folder the message names must survive it.
    await staging.discard();
    expect(await readdir(staging.path)).toEqual(['part-00001.csv']);
    // No longer marked as ours: no later export removes it.
    expect(await readdir(dir)).not.toContain(`${staging.path.split('/').pop()}${PARTIAL_MARKER}`);
  });

  it('refuses a folder inside the archive, even one named "..x"; a sibling named like it is fine', async () => {
    for (const inside of [archive, join(archive, 'x'), join(archive, '..x'), join(archive, '..x', 'y')])
      await expect(createStaging(inside, archive)).rejects.toThrow(/is inside the archive/);
    const sibling = await createStaging(join(dir, 'archive..x'), archive);
    await sibling.discard();
  });

  it('marks the staging folder from beside it: published, nothing of the mark is left in or beside it', async () => {
    const out = join(dir, 'clean');
    const staging = await createStaging(out, archive);
    expect(await readdir(dir)).toContain(
      `clean.partial-${staging.path.split('.partial-')[1]}${PARTIAL_MARKER}`,
    );
    await writeFile(join(staging.path, 'manifest.json'), '{}');
    await staging.publish();
    expect(await readdir(out)).toEqual(['manifest.json']);
    expect((await readdir(dir)).filter((n) => n.startsWith('clean.'))).toEqual([]);
  });

  it('removes the folders and markers of dead exports to the same --out, and only those', async () => {
    const dead = JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: '' });
    // Killed while writing; killed after publishing but before its marker went; a foreign folder.
    await mkdir(join(dir, 'again.partial-000000000001'));
    await writeFile(join(dir, `again.partial-000000000001${PARTIAL_MARKER}`), dead);
    await writeFile(join(dir, `again.partial-000000000002${PARTIAL_MARKER}`), dead);
    await mkdir(join(dir, 'again.partial-foreign'));
    const staging = await createStaging(join(dir, 'again'), archive);
    const left = (await readdir(dir)).filter((n) => n.startsWith('again.')).sort();
    const mine = staging.path.split('/').pop() as string;
    expect(left).toEqual([mine, `${mine}${PARTIAL_MARKER}`, 'again.partial-foreign'].sort());
    await staging.discard();
    expect((await readdir(dir)).filter((n) => n.startsWith('again.'))).toEqual(['again.partial-foreign']);
  });
});
