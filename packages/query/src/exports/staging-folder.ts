import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ExportUsageError } from '../errors.js';

/** The file that marks a staging folder as an unfinished export, with the process that makes it. */
export const PARTIAL_MARKER = '.swas-archive-export-partial';

/** The staging folder of an export to `out`: `<out>.partial-<random>`, beside it. */
export interface StagingFolder {
  path: string;
  /** Where the export goes once complete, absolute. */
  finalPath: string;
  /** Moves the finished folder to `out` (the commit point) and makes the move durable. */
  publish(): Promise<void>;
  /** Removes the folder (the export failed). */
  discard(): Promise<void>;
}

interface Marker {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Makes the staging folder of an export to `out`, after checking `out`: it may not exist yet or be an empty
 * folder, and may not be inside the archive. Staging folders of earlier exports to the same `out` whose
 * process is gone (on this host) are removed first; others are left alone.
 */
export async function createStaging(out: string, archiveRoot: string): Promise<StagingFolder> {
  const target = resolve(out);
  const rel = relative(resolve(archiveRoot), target);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith('/')))
    throw new ExportUsageError(`--out ${target} is inside the archive: export to a folder outside it`, 'out');
  await checkTarget(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  await removeAbandoned(parent, basename(target));
  const path = `${target}.partial-${randomBytes(6).toString('hex')}`;
  await mkdir(path);
  const marker: Marker = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(join(path, PARTIAL_MARKER), `${JSON.stringify(marker)}\n`);
  return {
    path,
    finalPath: target,
    async publish() {
      await rm(join(path, PARTIAL_MARKER));
      await fsyncPath(path);
      // An empty `out` is replaced by the rename; a non-empty one (made meanwhile) makes it fail: ENOTEMPTY.
      try {
        await rename(path, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST')
          throw new ExportUsageError(
            `--out ${target} was filled while the export ran; the finished export is left in ${path}`,
            'out',
          );
        throw error;
      }
      await fsyncPath(parent);
    },
    async discard() {
      await rm(path, { recursive: true, force: true });
    },
  };
}

async function checkTarget(target: string): Promise<void> {
  let entries: string[];
  try {
    const s = await stat(target);
    if (!s.isDirectory())
      throw new ExportUsageError(`--out ${target} is a file: give a new or empty folder`, 'out');
    entries = await readdir(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0)
    throw new ExportUsageError(
      `--out ${target} exists and is not empty (${entries.length} entries): give a new or empty folder; an export never overwrites one`,
      'out',
    );
}

/** Removes `<name>.partial-*` folders in `parent` that this tool marked and whose process is gone. */
async function removeAbandoned(parent: string, name: string): Promise<void> {
  for (const entry of await readdir(parent)) {
    if (!entry.startsWith(`${name}.partial-`)) continue;
    let marker: Marker;
    try {
      marker = JSON.parse(await readFile(join(parent, entry, PARTIAL_MARKER), 'utf8')) as Marker;
    } catch {
      // Not marked as ours (or being written this instant): not ours to remove.
      continue;
    }
    if (marker.host === hostname() && !isAlive(marker.pid))
      await rm(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
