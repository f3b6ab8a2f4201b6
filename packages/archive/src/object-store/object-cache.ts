import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
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
 * links into the cache (copies where links fail), so a copy costs no second download.
 */
export class ObjectCache {
  constructor(readonly dir: string) {}

  #object = (sha256: string) => join(this.dir, 'objects', sha256);

  /** Makes sure the cache holds `file`: fetched from `store` and its hash checked when not. */
  async ensure(store: ObjectStore, file: CatalogFile, stats: FetchStats): Promise<string> {
    const path = this.#object(file.sha256);
    if ((await sizeOf(path)) === file.bytes) {
      stats.cached++;
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
    const dispose = () => rm(root, { recursive: true, force: true });
    try {
      const queue = [...files];
      const worker = async () => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          const cached = await this.ensure(store, file, stats);
          const to = join(root, file.path);
          await mkdir(dirname(to), { recursive: true });
          await linkOrCopy(cached, to);
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
