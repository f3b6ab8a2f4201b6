import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '@swas-archive/emulator';
import { describe, expect, it } from 'vitest';
import { BadResponseError, createSwasClient, ThrottledError, TransientServiceError } from './index.js';
import { failure, SECRET } from './testing/api-failure.js';

describe('throttling and transient failures', () => {
  it('budget exceeded: ThrottledError with the retry-after hint', async () => {
    const limited = await startEmulator({
      seed: 1,
      budgets: { perAction: { ListRegions: 2 } },
      credentials: [{ accessKeyId: 'k', accessKeySecret: SECRET }],
    });
    try {
      const c = createSwasClient({
        endpoint: limited.endpoint,
        credentials: { accessKeyId: 'k', accessKeySecret: SECRET },
      });
      await c.listRegions();
      await c.listRegions();
      const e = await failure(c.listRegions());
      expect(e).toBeInstanceOf(ThrottledError);
      expect(e).toMatchObject({ code: 'api.throttled', serverCode: 'Throttling.User', transient: true });
      expect((e as ThrottledError).retryAfterMs).toBeGreaterThan(0);
      expect((e as ThrottledError).retryAfterMs).toBeLessThanOrEqual(60_000);
    } finally {
      await limited.close();
    }
  });

  it('500, 503, reset, truncated body and a body too slow: TransientServiceError', async () => {
    const faulty = await startEmulator({
      seed: 1,
      credentials: [{ accessKeyId: 'k', accessKeySecret: SECRET }],
      faults: {
        trickleMs: 1500,
        schedule: [
          { action: 'ListRegions', call: 1, fault: 'internal-error' },
          { action: 'ListRegions', call: 2, fault: 'service-unavailable' },
          { action: 'ListRegions', call: 3, fault: 'reset' },
          { action: 'ListRegions', call: 4, fault: 'truncate' },
          { action: 'ListRegions', call: 5, fault: 'trickle' },
        ],
      },
    });
    try {
      const c = createSwasClient({
        endpoint: faulty.endpoint,
        credentials: { accessKeyId: 'k', accessKeySecret: SECRET },
        timeoutMs: 500,
      });
      const codes = [];
      for (let i = 0; i < 5; i++) {
        const e = await failure(c.listRegions());
        expect(e).toBeInstanceOf(TransientServiceError);
        expect(e.transient).toBe(true);
        expect(e.code).toBe('api.unavailable');
        codes.push(e.serverCode);
      }
      expect(codes.slice(0, 2)).toEqual(['InternalError', 'ServiceUnavailable']);
      expect(codes[2]).toMatch(/ECONNRESET|socket hang up|NetworkError/i);
      expect(codes[3]).toBe('MalformedResponse');
      expect(codes[4]).toMatch(/Timeout/i);
      expect(await c.listRegions()).toHaveLength(3);
    } finally {
      await faulty.close();
    }
  });

  it('an answer without the documented shape: BadResponseError, never garbage', async () => {
    // A peer that answers JSON of the wrong shape (TotalCount as text, an invocation without CreationTime).
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          RequestId: 'R1',
          TotalCount: '1',
          PageNumber: 1,
          PageSize: 10,
          Invocations: [{ InvokeId: 't-1' }],
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const c = createSwasClient({
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'k', accessKeySecret: SECRET },
      });
      const e = await failure(c.describeInvocations({ regionId: 'cn-hangzhou', instanceId: 'i' }));
      expect(e).toBeInstanceOf(BadResponseError);
      expect(e.message).toMatch(/TotalCount/);
      expect(e.message).toMatch(/Invocations\.0\.CreationTime/);
      expect(e.requestId).toBe('R1');
    } finally {
      server.close();
    }
  });
});
