import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from './archive.js';
import { ArchivePathError } from './errors.js';
import { newTempRoot, removeTempRoots } from './testing/temp-archive.js';

afterAll(removeTempRoots);

describe('the archive folder', () => {
  it('is refused at once when it cannot hold an archive, with the path and the fix', async () => {
    const dir = await newTempRoot();
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'n');
    for (const [root, message] of [
      [file, /notes\.txt is a file, not a folder/],
      [join(file, 'deeper'), /cannot create the archive at .*deeper: .*notes\.txt is a file/],
      // Node's recursive mkdir never returns here; one level at a time fails at once.
      ['/proc/swas-archive-test', /pseudo-filesystem/],
    ] as const) {
      const error = await openArchive({ root }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArchivePathError);
      expect(error).toMatchObject({ code: 'archive.path', root });
      expect((error as Error).message).toMatch(message);
    }
  });

  it('is created with its missing parents', async () => {
    const root = join(await newTempRoot(), 'a', 'b', 'archive');
    const archive = await openArchive({ root });
    await archive.close();
    expect(archive.root).toBe(root);
  });
});
