import type { Catalog, CatalogFile } from '@swas-archive/archive';
import { isStoreUrl, parseStoreUrl } from '@swas-archive/archive';
import { storeReadCopy } from '@swas-archive/pipelines';
import { requireArchive } from './commands/query.js';
import { UsageError } from './exit-codes.js';
import { dataDir } from './parse-flags.js';

/** The local folder a reading command opens, and what to do when it is done. */
export interface ReadableArchive {
  root: string;
  dispose(): Promise<void>;
}

/**
 * The archive a reading command (`query`, `report`) opens: the folder of `--data`, or for
 * `--data s3://bucket/prefix` a local copy of the newest catalog holding the files `select` keeps (all by
 * default), fetched into the local cache (`SWAS_ARCHIVE_CACHE`) where it lacks them.
 */
export async function readableArchive(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  select?: (catalog: Catalog) => (file: CatalogFile) => boolean,
): Promise<ReadableArchive> {
  const given = flag ?? env.SWAS_ARCHIVE_DATA;
  if (!given || !isStoreUrl(given)) {
    const root = dataDir(flag, env);
    await requireArchive(root);
    return { root, dispose: async () => undefined };
  }
  const url = parseStoreUrl(given).url;
  const copy = await storeReadCopy(url, env, select);
  if (!copy)
    throw new UsageError(
      `no archive at ${url} (no catalog under its _catalog/): run \`swas-archive crawl --data ${url}\` first, or check the prefix`,
    );
  return copy;
}
