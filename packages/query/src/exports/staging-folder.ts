import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ExportUsageError } from '../errors.js';
import { isAlive } from '../process-alive.js';

/**
 * The suffix of the file beside a staging folder (`<out>.partial-<random>` + this) that marks it as an
 * unfinished export, with the process that makes it. Beside, not inside: it is written before the folder
 * and removed after the folder is renamed, so no crash leaves an unmarked staging folder, nor a marker
 * in a published export.
 */
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
  if (!(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)))
    throw new ExportUsageError(`--out ${target} is inside the archive: export to a folder outside it`, 'out');
  await checkTarget(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  await removeAbandoned(parent, basename(target));
  const path = `${target}.partial-${randomBytes(6).toString('hex')}`;
  const markerPath = `${path}${PARTIAL_MARKER}`;
  const marker: Marker = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeFile(markerPath, `${JSON.stringify(marker)}\n`);
  await mkdir(path);
  // After a publish that found `out` filled, the folder is the user's: no discard removes it.
  let handedOver = false;
  return {
    path,
    finalPath: target,
    async publish() {
      await fsyncPath(path);
      // An empty `out` is replaced by the rename; a non-empty one (made meanwhile) makes it fail: ENOTEMPTY.
      try {
        await rename(path, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        handedOver = true;
        await rm(markerPath, { force: true });
        throw new ExportUsageError(
          `--out ${target} was filled while the export ran; the finished export is left in ${path}`,
          'out',
        );
      }
      await fsyncPath(parent);
      handedOver = true;
      await rm(markerPath, { force: true });
    },
    async discard() {
      if (handedOver) return;
      await rm(path, { recursive: true, force: true });
      await rm(markerPath, { force: true });
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

/**
 * Removes the `<name>.partial-*` folders in `parent` that this tool marked (a marker file beside each) and
 * whose process is gone on this host, with their markers; a marker left alone by a crash after its folder
 * was published goes too. Folders without a marker are not ours to remove.
 */
async function removeAbandoned(parent: string, name: string): Promise<void> {
  for (const entry of await readdir(parent)) {
    if (!entry.startsWith(`${name}.partial-`) || !entry.endsWith(PARTIAL_MARKER)) continue;
    let marker: Marker;
    try {
      marker = JSON.parse(await readFile(join(parent, entry), 'utf8')) as Marker;
    } catch {
      // Being written this instant, or not ours: left alone.
      continue;
    }
    if (marker.host !== hostname() || isAlive(marker.pid)) continue;
    await rm(join(parent, entry.slice(0, -PARTIAL_MARKER.length)), { recursive: true, force: true });
    await rm(join(parent, entry), { force: true });
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
