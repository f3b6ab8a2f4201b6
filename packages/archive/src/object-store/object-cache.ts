import { createHash, randomUUID } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Catalog, CatalogFile } from '../catalog.js';
import { CATALOG_FILE } from '../catalog.js';
import { ArchiveCorruptError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** What building a local copy cost: files fetched from the store, and files the cache already held. */
export interface FetchStats {
  fetched: number;
  fetchedBytes: number;
  cached: number;
}

/** A local archive folder made of cached files: its catalog lists exactly the files it holds. */
export interface LocalCopy {
  root: string;
  stats: FetchStats;
  /** Removes the folder (the cache keeps the files). */
  dispose(): Promise<void>;
}

/**
 * A local cache of committed data files under `dir`, keyed by SHA-256 (`objects/<sha256>`; a committed
 * file never changes, and its catalog entry names its hash, so a cached copy is valid for as long as any
 * catalog lists it). Copies for a writer or a query are folders under `dir/copies`, their files hard
 * links into the cache (copies where links fail), so a copy costs no second download. With `maxBytes`,
 * a copy's disposal prunes the cache to that size, least recently used first (see {@link prune}).
 */
export class ObjectCache {
  constructor(
    readonly dir: string,
    readonly maxBytes?: number,
  ) {}

  #object = (sha256: string) => join(this.dir, 'objects', sha256);

  /** Makes sure the cache holds `file`: fetched from `store` and its hash checked when not. */
  async ensure(store: ObjectStore, file: CatalogFile, stats: FetchStats): Promise<string> {
    const path = this.#object(file.sha256);
    if ((await sizeOf(path)) === file.bytes) {
      stats.cached++;
      // Its time is when it was last used: pruning removes the least recently used first.
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      return path;
    }
    const body = await store.get(file.path);
    if (!body)
      throw new ArchiveCorruptError(`${file.path} is listed in the catalog but missing from the store`);
    const sha = createHash('sha256').update(body).digest('hex');
    if (sha !== file.sha256)
      throw new ArchiveCorruptError(
        `${file.path} in the store does not match its catalog entry (sha256 ${sha}, listed ${file.sha256})`,
      );
    await this.add(path, body);
    stats.fetched++;
    stats.fetchedBytes += body.length;
    return path;
  }

  /** Adds bytes whose hash is known (a file this process wrote and uploaded). */
  async add(path: string, body: Buffer): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path);
  }

  /** Adds a local file of the given hash to the cache (hard link, else copy). */
  async adopt(from: string, sha256: string): Promise<void> {
    const path = this.#object(sha256);
    if ((await sizeOf(path)) !== undefined) return;
    await mkdir(dirname(path), { recursive: true });
    await linkOrCopy(from, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }

  /**
   * A new local archive folder holding `catalog` with only `files` (fetched as needed, four at a time).
   * The catalog written there lists only those files, so nothing reads a file the copy lacks.
   */
  async copy(store: ObjectStore, catalog: Catalog, files: readonly CatalogFile[]): Promise<LocalCopy> {
    await mkdir(join(this.dir, 'copies'), { recursive: true });
    const root = await mkdtemp(join(this.dir, 'copies', `${process.pid}-`));
    const stats: FetchStats = { fetched: 0, fetchedBytes: 0, cached: 0 };
    const dispose = async () => {
      await rm(root, { recursive: true, force: true });
      if (this.maxBytes !== undefined) await this.prune(this.maxBytes);
    };
    try {
      const queue = [...files];
      const worker = async () => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          const to = join(root, file.path);
          await mkdir(dirname(to), { recursive: true });
          // Another process's pruning may remove the object between the check and the link: fetch again.
          await linkOrCopy(await this.ensure(store, file, stats), to).catch(async (error) => {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            await linkOrCopy(await this.ensure(store, file, stats), to);
          });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      await writeFile(join(root, CATALOG_FILE), `${JSON.stringify({ ...catalog, files })}\n`);
      return { root, stats, dispose };
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  /** Removes the copies of processes that died (a kill -9 leaves its copy, whose links pin its objects). */
  async #removeAbandonedCopies(): Promise<void> {
    const dir = join(this.dir, 'copies');
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const pid = Number(/^(\d+)-[A-Za-z0-9]{6}$/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid))
        await rm(join(dir, name), { recursive: true, force: true });
    }
  }

  /**
   * Removes cached objects, least recently used first, until the cache holds at most `maxBytes`. An
   * object a live copy links to (more than one link) is never removed, so a reader or writer in this or
   * another process keeps its files. Resolves with what was removed.
   */
  async prune(maxBytes: number): Promise<{ files: number; bytes: number }> {
    await this.#removeAbandonedCopies();
    const dir = join(this.dir, 'objects');
    const names = (await readdir(dir).catch(() => [])).filter((n) => /^[0-9a-f]{64}$/.test(n));
    const objects: { path: string; size: number; used: number; linked: boolean }[] = [];
    for (const name of names) {
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s) objects.push({ path: join(dir, name), size: s.size, used: s.mtimeMs, linked: s.nlink > 1 });
    }
    let total = objects.reduce((n, o) => n + o.size, 0);
    const removed = { files: 0, bytes: 0 };
    for (const o of objects.sort((x, y) => x.used - y.used)) {
      if (total <= maxBytes) break;
      if (o.linked) continue;
      await rm(o.path, { force: true });
      total -= o.size;
      removed.files++;
      removed.bytes += o.size;
    }
    return removed;
  }
}

/** Whether a process with this pid runs on this host. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(from, to);
  }
}
