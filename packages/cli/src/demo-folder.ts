import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARCHIVE_ROOT_ENTRIES, openArchive } from '@swas-archive/archive';
import { UsageError } from './exit-codes.js';

/** The file that marks a folder as the demo's own archive: only such a folder may be emptied by the demo. */
export const DEMO_MARKER = '.swas-archive-demo';

/** Everything an archive (and the demo) writes at its root: the only names the demo ever removes. */
const OWN_ENTRIES = [...ARCHIVE_ROOT_ENTRIES, DEMO_MARKER];

/** What {@link prepareDemoFolder} found, so that the clean-up removes no more than the demo created. */
export interface DemoFolder {
  root: string;
  /** Whether the demo made the folder itself (then it may remove the folder too). */
  createdFolder: boolean;
}

/**
 * Makes `root` ready for a demo archive without touching anything the demo did not create: a missing or
 * empty folder is used; a previous demo archive is emptied of its own entries (after checking that no
 * run holds it: a locked archive gives exit 5); any other folder is refused (exit 2).
 */
export async function prepareDemoFolder(root: string): Promise<DemoFolder> {
  const entries = await listOrUndefined(root);
  if (entries === undefined) {
    await mkdir(root, { recursive: true });
    return mark({ root, createdFolder: true });
  }
  if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    throw new UsageError(
      `${root} exists and is not a demo archive (it holds ${shown}): the demo only removes what it created. Choose another --data, or remove the folder yourself`,
    );
  }
  let createdFolder = false;
  if (entries.includes(DEMO_MARKER)) {
    createdFolder = (await readFile(join(root, DEMO_MARKER), 'utf8')).includes('"createdFolder":true');
    // Opening takes the writer lock: a run still using the archive makes this fail with exit 5.
    const archive = await openArchive({ root });
    await archive.close();
    await removeOwn(root);
  }
  return mark({ root, createdFolder });
}

async function mark(folder: DemoFolder): Promise<DemoFolder> {
  const note = { madeBy: 'swas-archive demo', mayEmpty: true, createdFolder: folder.createdFolder };
  await writeFile(join(folder.root, DEMO_MARKER), `${JSON.stringify(note)}\n`);
  return folder;
}

/** Removes what the demo created in the folder (and the folder, if the demo made it and it is now empty). */
export async function removeDemoFolder(folder: DemoFolder): Promise<void> {
  await removeOwn(folder.root);
  if (!folder.createdFolder) return;
  try {
    await rmdir(folder.root);
  } catch (error) {
    // Something else was put there meanwhile: it stays, and so does the folder.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
  }
}

async function removeOwn(root: string): Promise<void> {
  for (const name of OWN_ENTRIES) await rm(join(root, name), { recursive: true, force: true });
}

async function listOrUndefined(root: string): Promise<string[] | undefined> {
  try {
    if (!(await stat(root)).isDirectory())
      throw new UsageError(`${root} is a file, not a folder: choose another --data for the demo`);
    return await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
