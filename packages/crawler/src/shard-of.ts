import { createHash } from 'node:crypto';

/** One worker of a sharded crawl: it crawls the (account, region)s whose shard is `index`. */
export interface CrawlShard {
  /** From 0 to `count - 1`. */
  index: number;
  /** How many workers share the fleet. */
  count: number;
}

/**
 * The shard that owns an (account, region): the first 4 bytes of SHA-256 of `<account>/<region>` (UTF-8),
 * as a big-endian unsigned integer, modulo `count`. Stable across runs, hosts and versions, so every
 * (account, region) — and with it its budgets and cursors — belongs to exactly one worker of a split.
 */
export function shardOf(account: string, regionId: string, count: number): number {
  const digest = createHash('sha256').update(`${account}/${regionId}`, 'utf8').digest();
  return digest.readUInt32BE(0) % count;
}
