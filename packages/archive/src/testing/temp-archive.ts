import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Archive, openArchive } from '../archive.js';
import type { ArchiveOptions } from '../archive-options.js';

const roots: string[] = [];

/** A new empty folder for an archive, kept until {@link removeTempRoots} (call it in `afterAll`). */
export async function newTempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'swas-archive-'));
  roots.push(root);
  return root;
}

/** Runs `fn` with an archive opened in a new temp folder, closed afterwards (the folder is kept). */
export async function withArchive<T>(
  fn: (archive: Archive, root: string) => Promise<T>,
  options: Partial<ArchiveOptions> = {},
): Promise<T> {
  const root = await newTempRoot();
  const archive = await openArchive({ root, ...options });
  try {
    return await fn(archive, root);
  } finally {
    await archive.close();
  }
}

/** Removes every folder {@link newTempRoot} made in this test file. */
export async function removeTempRoots(): Promise<void> {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
}
