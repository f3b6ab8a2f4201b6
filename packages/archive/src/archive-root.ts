import { access, constants, mkdir, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ArchivePathError } from './errors.js';

/**
 * Makes sure `root` is a folder this process can write, creating it (and missing parents) if needed, or
 * throws {@link ArchivePathError} saying what is wrong with which path. Folders are created one level at a
 * time: Node's recursive `mkdir` never returns on some pseudo-filesystems (`/proc`), where a single
 * `mkdir` fails at once.
 */
export async function prepareArchiveRoot(root: string): Promise<void> {
  const missing = await checkArchiveRoot(root);
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue; // made meanwhile (another process): fine if it is a folder
      throw pathError(root, dir, code, 'create the folder');
    }
  }
  try {
    await access(root, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw pathError(root, root, (error as NodeJS.ErrnoException).code, 'write in');
  }
}

/** File-system types no archive can live on (from `statfs`): procfs, sysfs, debugfs, cgroup. */
const PSEUDO_FILESYSTEMS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x27e0eb, 0x63677270]);

/**
 * Checks, creating nothing, that an archive can be made at `root`: it is a folder, or its nearest existing
 * ancestor is a folder on a real file system that this process can write. Returns the folders still to
 * create, outermost first; throws {@link ArchivePathError} otherwise.
 */
export async function checkArchiveRoot(root: string): Promise<string[]> {
  const missing: string[] = [];
  let existing = root;
  for (;;) {
    const kind = await kindOf(existing);
    if (kind === 'dir') break;
    if (kind === 'file') {
      throw new ArchivePathError(
        existing === root
          ? `${root} is a file, not a folder: point --data (or SWAS_ARCHIVE_DATA) at a folder for the archive`
          : `cannot create the archive at ${root}: ${existing} is a file, not a folder`,
        root,
      );
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if ((await kindOf(existing)) !== 'dir') return missing;
  if (PSEUDO_FILESYSTEMS.has(Number((await statfs(existing)).type)))
    throw pathError(root, existing, 'ENOENT', 'use');
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw pathError(
      root,
      existing,
      (error as NodeJS.ErrnoException).code,
      missing.length > 0 ? 'create folders in' : 'write in',
    );
  }
  return missing;
}

async function kindOf(path: string): Promise<'dir' | 'file' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    if (code === 'ENOTDIR') return 'none'; // a parent is a file: said when the walk up reaches it
    throw new ArchivePathError(
      `cannot use ${path} for the archive: ${code} (${(error as Error).message})`,
      path,
    );
  }
}

function pathError(root: string, at: string, code: string | undefined, what: string): ArchivePathError {
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied: choose a folder you can write, or fix its permissions'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOENT'
          ? 'this file system does not allow it (a pseudo-filesystem such as /proc?): choose a folder on a disk'
          : `${code ?? 'error'}`;
  return new ArchivePathError(`cannot ${what} ${at} for the archive at ${root}: ${why}`, root);
}
