import type { LoadedConfig } from '@swas-archive/pipelines';
import { InvalidArgumentError, Option } from 'commander';
import { ConfigUsageError } from './exit-codes.js';

/** Worker `index` of `count` in a sharded crawl. */
export interface ShardFlag {
  index: number;
  count: number;
}

/** `--shard i/n` (also a config file's `shard`): worker i of n, 0 <= i < n. */
export function parseShard(value: string, what = '--shard'): ShardFlag {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new InvalidArgumentError(
      `${what} must be i/n with n >= 1 and 0 <= i < n (shards are numbered from 0, e.g. 0/3, 1/3, 2/3), got "${value}".`,
    );
  return { index, count };
}

/** The `--shard i/n` flag of `crawl` and `run archive`. */
export const shardOption = (): Option =>
  new Option(
    '--shard <i/n>',
    'be worker i of n (from 0) sharing the archive: crawl only the (account, region)s a stable hash gives it, commit in turns (default: the whole fleet)',
  ).argParser((v: string) => parseShard(v));

/** The config's `shard` ("i/n"), checked as `--shard` is (the schema only checks its form). */
export function shardFromConfig(loaded: LoadedConfig | undefined): ShardFlag | undefined {
  const value = loaded?.config.shard;
  if (!value) return undefined;
  try {
    return parseShard(value, `config ${loaded.path}: shard`);
  } catch (error) {
    throw new ConfigUsageError((error as Error).message);
  }
}
