import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseStoreUrl } from './archive-location.js';
import { ObjectCache } from './object-cache.js';
import type { ObjectStore } from './object-store.js';
import { OssStore, ossConfigFrom } from './oss-store.js';
import { S3Store, s3ConfigFrom } from './s3-store.js';

/** Objects a lost or crashed commit uploaded, and files retired, are removed this long after. */
export const DEFAULT_ORPHAN_GRACE_MS = 3_600_000;

/**
 * The store of an `s3://bucket/prefix` archive (settings from the AWS variables of `env`) or of an
 * `oss://bucket/prefix` one (from the OSS variables, else the Alibaba Cloud credential chain).
 */
export function openStore(url: string, env: NodeJS.ProcessEnv): ObjectStore {
  const where = parseStoreUrl(url);
  return where.scheme === 'oss'
    ? new OssStore(where.bucket, where.prefix, ossConfigFrom(env, where.url))
    : new S3Store(where.bucket, where.prefix, s3ConfigFrom(env));
}

/** The local cache of store archives: `SWAS_ARCHIVE_CACHE`, else `$XDG_CACHE_HOME/swas-archive`, else ~/.cache/swas-archive. */
export function storeCache(env: NodeJS.ProcessEnv): ObjectCache {
  const dir =
    env.SWAS_ARCHIVE_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'swas-archive');
  return new ObjectCache(dir);
}
