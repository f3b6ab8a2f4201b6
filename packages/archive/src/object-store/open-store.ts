import { homedir } from 'node:os';
import { join } from 'node:path';
import { ArchiveUsageError } from '../errors.js';
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

/** The cache's size when `SWAS_ARCHIVE_CACHE_MAX` does not say. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 2 ** 30;

/**
 * The local cache of store archives: `SWAS_ARCHIVE_CACHE`, else `$XDG_CACHE_HOME/swas-archive`, else
 * ~/.cache/swas-archive; pruned to `SWAS_ARCHIVE_CACHE_MAX` (a size such as `2GiB`, default 10 GiB, or
 * `unlimited`) when a command is done with its copy.
 */
export function storeCache(env: NodeJS.ProcessEnv): ObjectCache {
  const dir =
    env.SWAS_ARCHIVE_CACHE ??
    join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'swas-archive');
  return new ObjectCache(dir, cacheMaxBytes(env.SWAS_ARCHIVE_CACHE_MAX));
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `SWAS_ARCHIVE_CACHE_MAX` in bytes; undefined for `unlimited`. */
function cacheMaxBytes(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return DEFAULT_CACHE_MAX_BYTES;
  if (/^(unlimited|none)$/i.test(text.trim())) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined)
    throw new ArchiveUsageError(
      `SWAS_ARCHIVE_CACHE_MAX="${text}" is not a size: give one such as 500MB, 2GiB or 1TB, or "unlimited"`,
    );
  return Math.floor(Number(m[1]) * unit);
}
