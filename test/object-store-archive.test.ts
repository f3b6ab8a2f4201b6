import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { latestCatalog, openStore } from '@swas-archive/archive';
import { run } from '@swas-archive/cli';
import type { RunningEmulator } from '@swas-archive/emulator';
import { storeReadCopy } from '@swas-archive/pipelines';
import { describe, expect, it } from 'vitest';
import { startOssTestServer } from '../packages/archive/src/testing/oss-test-server.js';
import { startS3TestServer } from '../packages/archive/src/testing/s3-test-server.js';
import { archiveVersusTruth, withEmulator } from './helpers/harness.js';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const BUCKET = 'swas-e2e';

/**
 * The built bin in a process of its own (two of them race for one commit), with the emulator's key when
 * one is given, and no credentials from anywhere else (no home folder, no instance metadata).
 */
async function bin(args: string[], emu: RunningEmulator | undefined, env: Record<string, string>) {
  const key = emu?.credentials[0];
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(key
        ? {
            ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
          }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

/** The command line in this process. */
async function cli(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const sink = (put: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        put(chunk.toString());
        done();
      },
    });
  const code = await run(args, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env,
  });
  return { code, stdout, stderr };
}

const fleet = {
  seed: 71,
  clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 2, invocations: 240 },
  live: { invocationsPerMinute: 2 },
};

/** Each store with a local server of its API: s3rver (S3), our OSS test server (ali-oss, signature V4). */
const STORES = [
  { scheme: 's3', start: startS3TestServer, secret: 'AWS_SECRET_ACCESS_KEY' },
  { scheme: 'oss', start: startOssTestServer, secret: 'OSS_ACCESS_KEY_SECRET' },
] as const;

describe.each(STORES)(
  'an archive in an object store (--data $scheme://bucket/prefix)',
  ({ scheme, start, secret }) => {
    const URL_ = `${scheme}://${BUCKET}/team/archive`;
    // One test on purpose: each step builds on the store the previous one left.
    it('crawl commits to the store, query and report read it, two racing crawls never both commit', async () => {
      const server = await start(BUCKET);
      const cache = await mkdtemp(join(tmpdir(), 'swas-store-cache-'));
      const env = { ...server.env, SWAS_ARCHIVE_CACHE: cache } as Record<string, string>;
      const store = openStore(URL_, env);
      try {
        await withEmulator(fleet, async (emu) => {
          const crawl = ['crawl', '--endpoint', emu.endpoint, '--data', URL_, '--quiet'];
          const first = await bin(crawl, emu, env);
          expect(first.stderr).not.toContain(env[secret]);
          expect(first.code).toBe(0);
          expect((await latestCatalog(store)).seq).toBe(1);

          // Two crawls at once, each from catalog 1: whatever the timing, the catalog holds exactly the runs
          // of the crawls that exited 0, and a crawl that lost the conditional put exits 5 and commits nothing.
          emu.admin.advance(3_600_000);
          const [a, b] = await Promise.all([bin(crawl, emu, env), bin(crawl, emu, env)]);
          expect([a.code, b.code].every((c) => c === 0 || c === 5)).toBe(true);
          const latest = await latestCatalog(store);
          const winners = [a, b].filter((r) => r.code === 0).length;
          expect(winners).toBeGreaterThan(0);
          expect(latest.seq).toBe(1 + winners);
          const runs = new Set(
            latest.catalog.snapshots.filter((s) => s.kind === 'ingest').map((s) => s.runId),
          );
          expect(runs.size).toBe(1 + winners);
          for (const loser of [a, b].filter((r) => r.code === 5))
            expect(loser.stderr).toContain('another writer committed catalog');
          // Every committed object is there; the archive equals the emulator's ground truth.
          const copy = await storeReadCopy(URL_, env);
          if (!copy) throw new Error('no archive in the store');
          try {
            expect(await archiveVersusTruth(emu, copy.root)).toEqual([]);
            // query over the store answers as over the copy.
            const q = 'SELECT invoke_id, invocation_status FROM invocations ORDER BY invoke_id';
            const remote = await cli(['query', '--format', 'csv', '--data', URL_, q], env);
            expect(remote.code).toBe(0);
            const local = await cli(['query', '--format', 'csv', '--data', copy.root, q], {});
            expect(remote.stdout).toBe(local.stdout);
            expect(remote.stdout.split('\n').length).toBeGreaterThan(100);
            // report fetches only its period's files (a fresh cache: no observation history is fetched).
            const reportCache = await mkdtemp(join(tmpdir(), 'swas-store-cache-'));
            const args = [
              'report',
              'status-mix',
              '--since',
              '2026-05-20',
              '--until',
              '2026-06-02',
              '--format',
              'json',
            ];
            const r = await cli([...args, '--data', URL_], { ...env, SWAS_ARCHIVE_CACHE: reportCache });
            const l = await cli([...args, '--data', copy.root], {});
            expect(r.code).toBe(0);
            expect(r.stdout).toBe(l.stdout);
            const fetched = (await readdir(join(reportCache, 'objects'))).length;
            expect(fetched).toBeGreaterThan(0);
            expect(fetched).toBeLessThan(latest.catalog.files.length);
            await rm(reportCache, { recursive: true, force: true });
            // query fetches only the datasets its statement reads: `invocations` is the latest state.
            const queryCache = await mkdtemp(join(tmpdir(), 'swas-store-cache-'));
            const cold = await cli(['query', '--format', 'csv', '--data', URL_, q], {
              ...env,
              SWAS_ARCHIVE_CACHE: queryCache,
            });
            expect(cold.stdout).toBe(local.stdout);
            const latestFiles = latest.catalog.files.filter((f) => f.table === 'invocations_latest');
            expect(latestFiles.length).toBeGreaterThan(0);
            expect((await readdir(join(queryCache, 'objects'))).length).toBe(latestFiles.length);
            await rm(queryCache, { recursive: true, force: true });
          } finally {
            await copy.dispose();
          }
          // The cache's working and read copies are gone; only cached objects remain.
          expect(await readdir(join(cache, 'copies'))).toEqual([]);
        });
        // Commands that need a folder, and other schemes, say so with exit 2.
        const verify = await cli(['verify', '--data', URL_], env);
        expect(verify.code).toBe(2);
        expect(verify.stderr).toContain(
          'object-store archives (s3://, oss://) work with crawl, run archive, query and report',
        );
        const gs = await cli(['query', '--data', 'gs://bucket/x', 'SELECT 1'], env);
        expect(gs.code).toBe(2);
        expect(gs.stderr).toContain('gs://bucket/x is not an archive location');
        // No credentials anywhere: one line saying where they were looked for, exit 2.
        const noKeys = Object.fromEntries(Object.entries(env).filter(([k]) => !/ACCESS_KEY|SECRET/.test(k)));
        const bare = await bin(['query', '--data', URL_, 'SELECT 1'], undefined, noKeys);
        expect(bare.code).toBe(2);
        expect(bare.stderr).toMatch(/no (AWS )?credentials (found|for OSS)/);
        expect(bare.stderr.trim().split('\n')).toHaveLength(1);
      } finally {
        store.close();
        await server.stop();
        await rm(cache, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
