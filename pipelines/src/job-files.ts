import { access, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { JobUsageError } from './errors.js';

/** Refuses a folder that holds no archive (a report of nothing would look like a fleet without failures). */
export async function requireArchive(root: string): Promise<void> {
  try {
    await access(join(root, 'catalog.json'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw new JobUsageError(`cannot read the archive at ${root} (${code}): check its permissions`, 'root', {
        cause: error,
      });
    throw new JobUsageError(
      `no archive at ${root}: run \`swas-archive run archive --data ${root}\` first, or point --data (or SWAS_ARCHIVE_DATA, or the config's "archive") at an archive`,
      'root',
    );
  }
}

/**
 * Writes `content` to `path` whole or not at all (a temporary file renamed over it). A file already there
 * is replaced only when it is one this job made (its first bytes hold `signature`: a rerun on the same day
 * replaces that day's file); anything else is left alone and refused.
 */
export async function writeJobFile(path: string, content: string, signature: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const head = await firstBytes(path, 4096);
  if (head !== undefined && !head.includes(signature))
    throw new JobUsageError(
      `${path} exists and was not made by this job: move it away, or write to another folder (--out)`,
      'out',
    );
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The first `n` bytes of a file as text, or undefined when there is no file. */
async function firstBytes(path: string, n: number): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
