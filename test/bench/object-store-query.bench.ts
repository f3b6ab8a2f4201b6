import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { latestCatalog, ObjectCache, openStore, publishWorkingCopy } from '@swas-archive/archive';
import { run } from '@swas-archive/cli';
import { startEmulator } from '@swas-archive/emulator';
import { startOssTestServer } from '../../packages/archive/src/testing/oss-test-server.js';
import { startS3TestServer } from '../../packages/archive/src/testing/s3-test-server.js';
import { crawlOnce } from '../helpers/harness.js';
import type { BenchResult, Figure } from './results.js';

const sink = () =>
  new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });

/** Wall time of one in-process command, ms; throws unless it exits 0. */
async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = performance.now();
  const code = await run(args, { stdout: sink(), stderr: sink(), env });
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
  return Math.round(performance.now() - t);
}

async function cacheBytes(dir: string): Promise<{ files: number; bytes: number }> {
  const names = await readdir(join(dir, 'objects')).catch(() => []);
  let bytes = 0;
  for (const n of names) bytes += (await stat(join(dir, 'objects', n))).size;
  return { files: names.length, bytes };
}

/** The stores measured, each with a local server of its API. */
const STORES = [
  { scheme: 's3', start: startS3TestServer, server: 's3rver' },
  { scheme: 'oss', start: startOssTestServer, server: 'the OSS test server' },
] as const;

/**
 * What reading an archive in an object store costs: a crawl (20,000 invocations with results, three
 * regions) published to a local server of the store (s3rver for s3://, our OSS test server for oss://),
 * then `query` and `report` over the store with a cold cache, again with the cache filled, and over the
 * same archive in a folder. Servers on loopback: a real store adds its latency and bandwidth per fetched
 * file (4 fetched at once).
 */
export async function objectStoreQuery(): Promise<BenchResult> {
  const seed = await mkdtemp(join(tmpdir(), 'bench-store-seed-'));
  try {
    const emu = await startEmulator({
      seed: 9,
      clock: { speed: 0 },
      fleet: { regions: 3, instancesPerRegion: 6, invocations: 20_000 },
    });
    try {
      await crawlOnce(emu, seed, { withResults: true });
    } finally {
      await emu.close();
    }
    const figures: Figure[] = [];
    for (const where of STORES) figures.push(...(await measureStore(seed, where)));
    return { bench: 'object-store-query', figures };
  } finally {
    await rm(seed, { recursive: true, force: true });
  }
}

/** The archive in `seed` published to one store, then read from it cold, cached, and from the folder. */
async function measureStore(seed: string, where: (typeof STORES)[number]): Promise<Figure[]> {
  const server = await where.start('bench-archive');
  const url = `${where.scheme}://bench-archive/fleet`;
  const store = openStore(url, server.env);
  const caches: string[] = [];
  const cache = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-store-cache-'));
    caches.push(dir);
    return dir;
  };
  try {
    await publishWorkingCopy(store, new ObjectCache(await cache()), seed, await latestCatalog(store), {
      graceMs: 3_600_000,
    });
    const { catalog } = await latestCatalog(store);
    const total = catalog.files.reduce((n, f) => n + f.bytes, 0);
    const last =
      catalog.files
        .map((f) => f.partition.date ?? '')
        .sort()
        .at(-1) ?? '';
    const since = new Date(Date.parse(`${last}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    const query = ['query', '--format', 'csv', 'SELECT command_name, count(*) FROM invocations GROUP BY 1'];
    const report = ['report', 'status-mix', '--since', since, '--until', last, '--format', 'json'];
    const figures: Figure[] = [];
    const s = `${where.scheme}://`;
    const note = `${catalog.files.length} files, ${(total / 2 ** 20).toFixed(1)} MiB committed; ${where.server} on loopback`;
    for (const [name, args] of [
      ['query', query],
      ['report status-mix, last 7 days', report],
    ] as const) {
      const dir = await cache();
      const env = { ...server.env, SWAS_ARCHIVE_CACHE: dir };
      const cold = await timed([...args, '--data', url], env);
      const fetched = await cacheBytes(dir);
      const warm = await timed([...args, '--data', url], env);
      const local = await timed([...args, '--data', seed], {});
      figures.push(
        { name: `${name}: first run over ${s} (cold cache)`, value: cold, unit: 'ms', note },
        { name: `${name}: files fetched from ${s} on the first run`, value: fetched.files, unit: 'files' },
        { name: `${name}: bytes fetched from ${s} on the first run`, value: fetched.bytes, unit: 'bytes' },
        { name: `${name}: second run over ${s} (cached)`, value: warm, unit: 'ms' },
        { name: `${name}: same over the local folder`, value: local, unit: 'ms' },
      );
    }
    return figures;
  } finally {
    store.close();
    await server.stop();
    for (const dir of caches) await rm(dir, { recursive: true, force: true });
  }
}
