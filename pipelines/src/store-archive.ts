import {
  ArchiveUsageError,
  type Catalog,
  type CatalogFile,
  DEFAULT_ORPHAN_GRACE_MS,
  type FetchStats,
  type LocalCopy,
  latestCatalog,
  openStore,
  openWorkingCopy,
  type PublishResult,
  publishWorkingCopy,
  storeCache,
} from '@swas-archive/archive';
import type { ArchiveJobOptions, ArchiveJobResult } from './archive-job.js';

/** What a run on an object-store archive published. */
export interface StorePublish extends PublishResult {
  url: string;
  /** What building the run's working copy cost. */
  fetched: FetchStats;
}

/**
 * The archive job on an `s3://` or `oss://` archive: a local working copy of the newest catalog (files from the
 * cache, fetched where missing), the job run on it exactly as on a folder, then what it committed
 * published as one commit: data objects first, the next catalog object last, put only if absent. A
 * second writer that started from the same catalog loses that put (exit 5) and publishes nothing; a
 * local lock protects nothing in a shared bucket, so the conditional put is the only writer lock.
 */
export async function storeArchiveJob(
  options: ArchiveJobOptions,
  runLocal: (options: ArchiveJobOptions) => Promise<ArchiveJobResult>,
): Promise<ArchiveJobResult & { published?: StorePublish }> {
  if (options.shard)
    throw new ArchiveUsageError(
      `--shard is not supported on an object-store archive (${options.root}): shards there would race for every commit; crawl into a folder, or run one writer`,
    );
  const env = options.storeEnv ?? process.env;
  const store = openStore(options.root, env);
  const cache = storeCache(env);
  try {
    const { copy, base } = await openWorkingCopy(store, cache);
    try {
      const result = await runLocal({ ...options, root: copy.root });
      const published = await publishWorkingCopy(store, cache, copy.root, base, {
        graceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS,
      });
      return { ...result, published: { ...published, url: options.root, fetched: copy.stats } };
    } finally {
      await copy.dispose();
    }
  } finally {
    store.close();
  }
}

/**
 * A local read-only copy of an `s3://` or `oss://` archive as of its newest catalog, holding only the files `select`
 * keeps (all by default) — fetched into the local cache where it lacks them. Dispose of it when done.
 */
export async function storeReadCopy(
  url: string,
  env: NodeJS.ProcessEnv,
  select?: (catalog: Catalog) => (file: CatalogFile) => boolean,
): Promise<LocalCopy | undefined> {
  const store = openStore(url, env);
  try {
    const latest = await latestCatalog(store);
    if (latest.seq === 0) return undefined;
    const keep = select?.(latest.catalog);
    const files = keep ? latest.catalog.files.filter(keep) : latest.catalog.files;
    return await storeCache(env).copy(store, latest.catalog, files);
  } finally {
    store.close();
  }
}
