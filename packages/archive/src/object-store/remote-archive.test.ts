import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../archive.js';
import { readCatalog } from '../catalog.js';
import { ArchiveLockedError } from '../errors.js';
import { makeObservations } from '../testing/fixtures.js';
import { startOssTestServer } from '../testing/oss-test-server.js';
import { queryCommitted } from '../testing/query-committed.js';
import { startS3TestServer } from '../testing/s3-test-server.js';
import { removeTempRoots, withArchive } from '../testing/temp-archive.js';
import { ObjectCache } from './object-cache.js';
import type { ObjectStore } from './object-store.js';
import { openStore } from './open-store.js';
import { latestCatalog, openWorkingCopy, publishWorkingCopy } from './remote-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');
const BUCKET = 'swas-test';
const COUNT = 'SELECT count(*)::INT AS n, count(DISTINCT invoke_id)::INT AS ids FROM invocation_observations';

/** The stores, each with a local server speaking its API: s3rver for S3, our OSS test server for OSS. */
const STORES = [
  { scheme: 's3', start: startS3TestServer },
  { scheme: 'oss', start: startOssTestServer },
] as const;

/** One writer's turn: a working copy of the newest catalog, one snapshot committed in it (not published). */
async function stageCommit(s: ObjectStore, cache: ObjectCache, prefix: string, count: number) {
  const { copy, base } = await openWorkingCopy(s, cache);
  const archive = await openArchive({ root: copy.root });
  const snap = archive.beginSnapshot(`run-${prefix}`);
  await snap.addObservations(makeObservations(count, AT, { prefix }));
  await snap.commit();
  await archive.close();
  return { copy, base };
}

describe.each(STORES)('an archive in $scheme://', ({ scheme, start }) => {
  let server: Awaited<ReturnType<(typeof STORES)[number]['start']>>;
  let cacheDir: string;
  const stores: ObjectStore[] = [];

  beforeAll(async () => {
    server = await start(BUCKET);
    cacheDir = await mkdtemp(join(tmpdir(), 'swas-cache-'));
  });
  afterAll(async () => {
    for (const s of stores) s.close();
    await server?.stop();
    await rm(cacheDir, { recursive: true, force: true });
    await removeTempRoots();
  });

  function store(prefix: string): ObjectStore {
    const s = openStore(`${scheme}://${BUCKET}/${prefix}`, server.env);
    stores.push(s);
    return s;
  }

  // One test on purpose: the race, the reader and the cleanup each build on the store the step before left.
  it('commits through a conditional catalog put; of two racing writers one loses and nothing of it is visible', async () => {
    const s = store('race');
    const cache = new ObjectCache(cacheDir);
    const first = await stageCommit(s, cache, 'a-', 300);
    expect(
      (await publishWorkingCopy(s, cache, first.copy.root, first.base, { graceMs: 3_600_000 })).seq,
    ).toBe(1);
    await first.copy.dispose();

    // Two writers start from catalog 1 and publish at once: exactly one commits, the other gets 412.
    const b = await stageCommit(s, cache, 'b-', 200);
    const c = await stageCommit(s, cache, 'c-', 200);
    const refusedBefore = server.refused();
    const outcomes = await Promise.allSettled(
      [b, c].map((w) => publishWorkingCopy(s, cache, w.copy.root, w.base, { graceMs: 3_600_000 })),
    );
    const won = outcomes.findIndex((o) => o.status === 'fulfilled');
    const lost = outcomes.findIndex((o) => o.status === 'rejected');
    expect([won, lost].sort()).toEqual([0, 1]);
    expect((outcomes[lost] as PromiseRejectedResult).reason).toBeInstanceOf(ArchiveLockedError);
    expect((outcomes[won] as PromiseFulfilledResult<{ seq?: number }>).value.seq).toBe(2);
    expect(server.refused()).toBe(refusedBefore + 1);
    const [winner, loser] = won === 0 ? [b, c] : [c, b];
    const base = new Set(loser.base.catalog.files.map((f) => f.path));
    const lostFiles = (await readCatalog(loser.copy.root)).files.filter((f) => !base.has(f.path));
    expect(lostFiles.length).toBeGreaterThan(0);
    // The loser's uploads are in the store (orphans), but no catalog lists them.
    const keys = new Set((await s.list('')).map((o) => o.key));
    for (const f of lostFiles) expect(keys.has(f.path)).toBe(true);
    const latest = await latestCatalog(s);
    expect(latest.seq).toBe(2);
    expect(latest.catalog).toEqual(await readCatalog(winner.copy.root));
    const winnerPrefix = winner === b ? 'b-' : 'c-';
    await b.copy.dispose();
    await c.copy.dispose();

    // What a reader fetches equals the same two commits on a local disk, row for row.
    const read = await cache.copy(s, latest.catalog, latest.catalog.files);
    await withArchive(async (local) => {
      for (const [prefix, n] of [
        ['a-', 300],
        [winnerPrefix, 200],
      ] as const) {
        const snap = local.beginSnapshot(`run-${prefix}`);
        await snap.addObservations(makeObservations(n, AT, { prefix }));
        await snap.commit();
      }
      const sql = `SELECT * FROM invocation_observations ORDER BY invoke_id, observed_at`;
      const remoteRows = await queryCommitted(
        { root: read.root, catalog: await readCatalog(read.root) },
        sql,
      );
      expect(remoteRows.length).toBe(500);
      expect(remoteRows).toEqual(await queryCommitted(local, sql));
    });
    await read.dispose();

    // A later writer removes the orphans once past the grace period (here 0), and the older catalogs.
    const d = await stageCommit(s, cache, 'd-', 50);
    const published = await publishWorkingCopy(s, cache, d.copy.root, d.base, {
      graceMs: 0,
      now: () => Date.now() + 1000,
    });
    expect(published.seq).toBe(3);
    await d.copy.dispose();
    const after = (await s.list('')).map((o) => o.key);
    for (const f of lostFiles) expect(after).not.toContain(f.path);
    expect(after.filter((k) => k.startsWith('_catalog/'))).toEqual(['_catalog/000000000003.json']);
    const final = await latestCatalog(s);
    for (const f of final.catalog.files) expect(after).toContain(f.path);
  });

  it('a crash between the uploads and the catalog put leaves the committed archive as it was', async () => {
    const s = store('crash');
    const cache = new ObjectCache(cacheDir);
    const first = await stageCommit(s, cache, 'a-', 120);
    await publishWorkingCopy(s, cache, first.copy.root, first.base, { graceMs: 3_600_000 });
    await first.copy.dispose();
    const before = await latestCatalog(s);
    // The crashed writer uploaded its data objects and died before the conditional put.
    const crashed = await stageCommit(s, cache, 'x-', 80);
    const known = new Set(before.catalog.files.map((f) => f.path));
    for (const f of (await readCatalog(crashed.copy.root)).files.filter((f) => !known.has(f.path)))
      await s.putIfAbsent(f.path, await readFile(join(crashed.copy.root, f.path)));
    await crashed.copy.dispose();
    expect(await latestCatalog(s)).toEqual(before);
    const read = await cache.copy(s, before.catalog, before.catalog.files);
    expect(await queryCommitted({ root: read.root, catalog: before.catalog }, COUNT)).toEqual([
      { n: 120, ids: 120 },
    ]);
    await read.dispose();
    // The next writer starts from the committed catalog: its run holds the first commit and its own.
    const next = await stageCommit(s, cache, 'y-', 30);
    expect(next.base).toEqual(before);
    await publishWorkingCopy(s, cache, next.copy.root, next.base, { graceMs: 3_600_000 });
    await next.copy.dispose();
    const latest = await latestCatalog(s);
    const again = await cache.copy(s, latest.catalog, latest.catalog.files);
    expect(await queryCommitted({ root: again.root, catalog: latest.catalog }, COUNT)).toEqual([
      { n: 150, ids: 150 },
    ]);
    await again.dispose();
  });

  it('a second copy of the same files is served from the cache', async () => {
    const s = store('cache');
    const cache = new ObjectCache(await mkdtemp(join(tmpdir(), 'swas-cache-')));
    const w = await stageCommit(s, new ObjectCache(cacheDir), 'a-', 90);
    await publishWorkingCopy(s, new ObjectCache(cacheDir), w.copy.root, w.base, { graceMs: 3_600_000 });
    await w.copy.dispose();
    const { catalog } = await latestCatalog(s);
    const first = await cache.copy(s, catalog, catalog.files);
    expect(first.stats).toMatchObject({ fetched: catalog.files.length, cached: 0 });
    const second = await cache.copy(s, catalog, catalog.files);
    expect(second.stats).toMatchObject({ fetched: 0, cached: catalog.files.length, fetchedBytes: 0 });
    await first.dispose();
    await second.dispose();
    await rm(cache.dir, { recursive: true, force: true });
  });

  it('a cache with a size limit keeps what live copies use and prunes the least recently used', async () => {
    const s = store('prune');
    const w = await stageCommit(s, new ObjectCache(cacheDir), 'a-', 90);
    await publishWorkingCopy(s, new ObjectCache(cacheDir), w.copy.root, w.base, { graceMs: 3_600_000 });
    await w.copy.dispose();
    const { catalog } = await latestCatalog(s);
    const [one, ...rest] = catalog.files;
    if (!one || rest.length === 0) throw new Error('the commit wrote fewer than two files');
    const cache = new ObjectCache(await mkdtemp(join(tmpdir(), 'swas-cache-')), 0);
    const objects = async () => (await readdir(join(cache.dir, 'objects'))).sort();
    // Every file cached, then the first used again by a copy that is still open.
    await (await cache.copy(s, catalog, catalog.files)).dispose();
    expect(await objects()).toEqual([]);
    const all = await cache.copy(s, catalog, catalog.files);
    const held = await cache.copy(s, catalog, [one]);
    await all.dispose();
    expect(await objects()).toEqual([one.sha256]);
    expect(
      await queryCommitted({ root: held.root, catalog: await readCatalog(held.root) }, 'SELECT 1 AS x'),
    ).toEqual([{ x: 1 }]);
    await held.dispose();
    expect(await objects()).toEqual([]);
    // A copy left by a process that died (kill -9) pins its objects until a prune removes it.
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    const left = await cache.copy(s, catalog, [one]);
    const abandoned = join(cache.dir, 'copies', `${dead.pid}-abcdef`);
    await rename(left.root, abandoned);
    expect(await objects()).toEqual([one.sha256]);
    expect(await cache.prune(0)).toMatchObject({ files: 1 });
    expect(await readdir(join(cache.dir, 'copies'))).toEqual([]);
    // With room for everything, nothing goes; with room for one, the least recently used go first.
    const roomy = new ObjectCache(cache.dir, Number.MAX_SAFE_INTEGER);
    await (await roomy.copy(s, catalog, catalog.files)).dispose();
    expect((await objects()).length).toBe(new Set(catalog.files.map((f) => f.sha256)).size);
    await new Promise((ok) => setTimeout(ok, 20));
    await (await roomy.copy(s, catalog, [one])).dispose();
    const before = (await objects()).length;
    expect(await roomy.prune(one.bytes)).toMatchObject({ files: before - 1 });
    expect(await objects()).toEqual([one.sha256]);
    await rm(cache.dir, { recursive: true, force: true });
  });
});
