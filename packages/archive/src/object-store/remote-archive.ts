import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Catalog, emptyCatalog, readCatalog } from '../catalog.js';
import { ArchiveCorruptError, ArchiveLockedError, ArchiveStoreError } from '../errors.js';
import { TABLE_NAMES } from '../schema.js';
import type { LocalCopy, ObjectCache } from './object-cache.js';
import type { ObjectStore } from './object-store.js';

/**
 * The commit protocol of an archive in an object store, which has no rename. Data objects keep the local
 * layout (`<table>/date=<d>/part-<snapshot>-<n>.parquet`, unique per snapshot, never overwritten). The
 * catalog is a series of objects `_catalog/<seq>.json`; a commit is one `PUT` of the next `<seq>` with
 * `If-None-Match: *`, after every data object it lists was uploaded. Readers take the highest `<seq>` and
 * read only the files it lists, so they never see half a commit, and of two writers that start from the
 * same `<seq>` exactly one commits: the other gets 412 and commits nothing.
 */
export const CATALOG_PREFIX = '_catalog/';
const catalogKey = (seq: number) => `${CATALOG_PREFIX}${String(seq).padStart(12, '0')}.json`;
const CATALOG_KEY = /^_catalog\/(\d{12})\.json$/;
/** The data objects this program writes: nothing else is ever deleted. */
const DATA_KEY = new RegExp(
  `^(${TABLE_NAMES.join('|')})/date=\\d{4}-\\d{2}-\\d{2}/part-[A-Za-z0-9_.-]+\\.parquet$`,
);

/** A committed catalog and its place in the series (0: nothing committed yet). */
export interface RemoteCatalog {
  seq: number;
  catalog: Catalog;
}

/** The newest committed catalog of the store's archive. */
export async function latestCatalog(store: ObjectStore): Promise<RemoteCatalog> {
  for (let attempt = 0; ; attempt++) {
    const seqs = (await store.list(CATALOG_PREFIX))
      .map((o) => CATALOG_KEY.exec(o.key)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    if (seqs.length === 0) return { seq: 0, catalog: emptyCatalog() };
    const seq = Math.max(...seqs);
    const body = await store.get(catalogKey(seq));
    // Removed between the listing and the read: only an older one is pruned, so list again.
    if (!body && attempt < 3) continue;
    if (!body) throw new ArchiveStoreError(`the catalog ${catalogKey(seq)} vanished while it was read`);
    try {
      return { seq, catalog: JSON.parse(body.toString('utf8')) as Catalog };
    } catch (error) {
      throw new ArchiveCorruptError(`the catalog ${catalogKey(seq)} is not valid JSON`, undefined, {
        cause: error,
      });
    }
  }
}

/** A local writable copy of the archive as of its newest catalog, and that catalog. */
export async function openWorkingCopy(
  store: ObjectStore,
  cache: ObjectCache,
): Promise<{ copy: LocalCopy; base: RemoteCatalog }> {
  const base = await latestCatalog(store);
  const copy = await cache.copy(store, base.catalog, base.catalog.files);
  return { copy, base };
}

/** What {@link publishWorkingCopy} did. */
export interface PublishResult {
  /** The catalog object written; undefined when the copy committed nothing. */
  seq?: number;
  uploaded: number;
  uploadedBytes: number;
  /** Objects of lost or crashed commits and retired files removed after the grace period. */
  removed: number;
}

/**
 * Publishes what was committed in the working copy `root` since `base`: uploads its new data files, then
 * puts catalog `base.seq + 1` conditionally. Throws {@link ArchiveLockedError} when another writer put that
 * catalog first: nothing of this copy is then visible (its uploads are orphans, removed later).
 */
export async function publishWorkingCopy(
  store: ObjectStore,
  cache: ObjectCache,
  root: string,
  base: RemoteCatalog,
  options: { graceMs: number; now?: () => number },
): Promise<PublishResult> {
  const local = await readCatalog(root);
  const result: PublishResult = { uploaded: 0, uploadedBytes: 0, removed: 0 };
  if (JSON.stringify(local) === JSON.stringify(base.catalog)) return result;
  const known = new Set(base.catalog.files.map((f) => f.path));
  for (const file of local.files.filter((f) => !known.has(f.path))) {
    const body = await readFile(join(root, file.path));
    if (!(await store.putIfAbsent(file.path, body)))
      throw new ArchiveStoreError(
        `${file.path} already exists in the store: refusing to overwrite an object this commit did not write`,
      );
    await cache.adopt(join(root, file.path), file.sha256);
    result.uploaded++;
    result.uploadedBytes += body.length;
  }
  const seq = base.seq + 1;
  if (!(await store.putIfAbsent(catalogKey(seq), Buffer.from(`${JSON.stringify(local)}\n`))))
    throw new ArchiveLockedError(
      `another writer committed catalog ${seq} of the archive first: this run's ${local.snapshots.length - base.catalog.snapshots.length} snapshot(s) were not committed (nothing of them is visible; their uploaded files are removed by a later writer after the grace period). Run again: it starts from the new catalog`,
    );
  result.seq = seq;
  result.removed = await removeUnlisted(store, seq, options.graceMs, (options.now ?? Date.now)());
  return result;
}

/**
 * Removes what no reader can need any more, once older than `graceMs`: data objects that no catalog of
 * the grace period lists (uploads of a lost or crashed commit, files a compaction retired), and catalogs
 * before `latest`. Keys outside the archive's layout are never touched.
 */
async function removeUnlisted(
  store: ObjectStore,
  latest: number,
  graceMs: number,
  now: number,
): Promise<number> {
  const objects = await store.list('');
  const cutoff = now - graceMs;
  const keep = new Set<string>();
  const oldCatalogs: string[] = [];
  for (const o of objects) {
    const seq = CATALOG_KEY.exec(o.key)?.[1];
    if (seq === undefined) continue;
    if (Number(seq) !== latest && o.lastModified.getTime() < cutoff) {
      oldCatalogs.push(o.key);
      continue;
    }
    const body = await store.get(o.key);
    if (!body) continue;
    for (const f of (JSON.parse(body.toString('utf8')) as Catalog).files) keep.add(f.path);
  }
  const stale = objects.filter(
    (o) => DATA_KEY.test(o.key) && !keep.has(o.key) && o.lastModified.getTime() < cutoff,
  );
  for (const o of stale) await store.delete(o.key);
  for (const key of oldCatalogs) await store.delete(key);
  return stale.length + oldCatalogs.length;
}
