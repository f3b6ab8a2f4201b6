import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveStoreError, ArchiveUsageError } from '../errors.js';
import { type OssTestServer, startOssTestServer } from '../testing/oss-test-server.js';
import type { ObjectStore } from './object-store.js';
import { openStore } from './open-store.js';
import { ossConfigFrom } from './oss-store.js';

const BUCKET = 'swas-oss';
let server: OssTestServer;
const opened: ObjectStore[] = [];

beforeAll(async () => {
  server = await startOssTestServer(BUCKET);
});
afterAll(async () => {
  for (const s of opened) s.close();
  await server?.stop();
});

function store(url: string, env: NodeJS.ProcessEnv = server.env): ObjectStore {
  const s = openStore(url, env);
  opened.push(s);
  return s;
}

describe('an oss:// store through ali-oss', () => {
  it('writes only absent keys, reads them back, and lists past a page of 1,000 keys in key order', async () => {
    const s = store(`oss://${BUCKET}/archive`);
    const key = 'invocation_observations/region=cn-hangzhou/day=2026-11-20/part a+b=1.parquet';
    expect(await s.putIfAbsent(key, Buffer.from('first'))).toBe(true);
    expect(await s.putIfAbsent(key, Buffer.from('second'))).toBe(false);
    // The same bytes again (a retry after an attempt that landed): the put is this one's, not a lost race.
    expect(await s.putIfAbsent(key, Buffer.from('first'))).toBe(true);
    expect(server.refused()).toBe(2);
    expect((await s.get(key))?.toString()).toBe('first');
    expect(await s.get('no/such/key')).toBeUndefined();

    const many = Array.from({ length: 1003 }, (_, i) => `_catalog/${String(i).padStart(12, '0')}.json`);
    for (let i = 0; i < many.length; i += 50)
      await Promise.all(many.slice(i, i + 50).map((k) => s.putIfAbsent(k, Buffer.from(k))));
    const listed = await s.list('_catalog/');
    expect(listed.map((o) => o.key)).toEqual(many);
    expect(listed[0]?.size).toBe(many[0]?.length);
    expect((await s.list('')).length).toBe(many.length + 1);

    await s.delete(key);
    await s.delete(key);
    expect(await s.get(key)).toBeUndefined();
    expect(server.badSignatures()).toBe(0);
  });

  it('names the refusal of a wrong secret without printing it', async () => {
    const secret = 'wrong-secret-that-must-not-leak';
    const s = store(`oss://${BUCKET}/archive`, { ...server.env, OSS_ACCESS_KEY_SECRET: secret });
    const error = await s.get('anything').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveStoreError);
    expect((error as ArchiveStoreError).code).toBe('archive.store');
    expect((error as Error).message).toMatch(
      /cannot read the versioning of oss:\/\/swas-oss: SignatureDoesNotMatch \(HTTP 403\)/,
    );
    expect((error as Error).message).not.toContain(secret);
    expect(server.badSignatures()).toBeGreaterThan(0);
  });

  it('refuses a bucket whose versioning was ever enabled: OSS would let a second catalog put overwrite the first', async () => {
    for (const versioning of ['Enabled', 'Suspended'] as const) {
      const versioned = await startOssTestServer(BUCKET, { versioning });
      const s = openStore(`oss://${BUCKET}/archive`, versioned.env);
      try {
        const error = await s.list('').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ArchiveUsageError);
        expect((error as Error).message).toContain(`versioning is ${versioning}`);
        expect(await s.putIfAbsent('x', Buffer.from('x')).catch((e: unknown) => e)).toBeInstanceOf(
          ArchiveUsageError,
        );
      } finally {
        s.close();
        await versioned.stop();
      }
    }
  });

  it('needs the region or an endpoint that names one, and refuses other schemes', () => {
    const url = `oss://${BUCKET}/x`;
    expect(() => ossConfigFrom({}, url)).toThrow(ArchiveUsageError);
    expect(() => ossConfigFrom({}, url)).toThrow(/set OSS_REGION/);
    expect(ossConfigFrom({ OSS_ENDPOINT: 'https://oss-cn-shanghai-internal.aliyuncs.com' }, url).region).toBe(
      'cn-shanghai',
    );
    expect(ossConfigFrom({ OSS_REGION: 'oss-eu-central-1' }, url).region).toBe('eu-central-1');
    // An acceleration endpoint names no region.
    expect(() => ossConfigFrom({ OSS_ENDPOINT: 'https://oss-accelerate.aliyuncs.com' }, url)).toThrow(
      /set OSS_REGION/,
    );
    expect(() => openStore('gs://bucket/x', {})).toThrow(/oss:\/\/bucket\/prefix for Alibaba Cloud OSS/);
  });
});
