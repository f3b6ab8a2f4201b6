import { describe, expect, it } from 'vitest';
import { shardOf } from './shard-of.js';

describe('shardOf', () => {
  it('is the documented hash: SHA-256 of "<account>/<region>", first 4 bytes big-endian, modulo n', () => {
    // Fixed values: a change of the hash would move every (account, region) to another worker.
    // sha256('prod/cn-hangzhou') starts 0x20cc77a0 = 550270880; sha256('acct/us-west-1') 0xd0d36eb1.
    expect(shardOf('prod', 'cn-hangzhou', 3)).toBe(550_270_880 % 3);
    expect(shardOf('prod', 'cn-hangzhou', 7)).toBe(550_270_880 % 7);
    expect(shardOf('acct', 'us-west-1', 3)).toBe(3_503_517_361 % 3);
    expect(shardOf('prod', 'cn-beijing', 3)).toBe(6_345_887 % 3);
  });

  it('gives each (account, region) exactly one shard in range, and spreads a fleet over all of them', () => {
    const keys = ['a', 'b', 'c', 'd'].flatMap((acct) =>
      ['cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'ap-southeast-1', 'us-west-1'].map(
        (r) => [acct, r] as const,
      ),
    );
    for (const n of [1, 2, 3, 5]) {
      const owners = keys.map(([a, r]) => shardOf(a, r, n));
      expect(owners.every((o) => Number.isInteger(o) && o >= 0 && o < n)).toBe(true);
      expect(new Set(owners).size).toBe(n); // 20 keys over at most 5 shards: none left idle here
      expect(keys.map(([a, r]) => shardOf(a, r, n))).toEqual(owners); // stable
    }
  });
});
