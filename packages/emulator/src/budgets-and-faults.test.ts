import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './http/fault-options.js';
import { startEmulator } from './index.js';
import { rawRequest } from './testing/raw-request.js';

describe('budgets', () => {
  it('throttles exactly at the count within the window, per key, region and action', async () => {
    // A window far longer than the test: the sixth call is refused however slow the machine is.
    // The window sliding on is RateBudget's unit test, with its clock in hand.
    const emu = await startEmulator({
      seed: 1,
      credentials: [
        { accessKeyId: 'key-a', accessKeySecret: 'secret-a' },
        { accessKeyId: 'key-b', accessKeySecret: 'secret-b' },
      ],
      budgets: { perAction: { ListInstances: 5 }, windowMs: 3_600_000 },
    });
    try {
      const [a, b] = emu.credentials as [
        { accessKeyId: string; accessKeySecret: string },
        { accessKeyId: string; accessKeySecret: string },
      ];
      const list = (k = a, RegionId = 'cn-hangzhou') =>
        rawRequest(emu.endpoint, k, { Action: 'ListInstances', RegionId });
      for (let i = 0; i < 5; i++) expect((await list()).status).toBe(200);
      const refused = await list();
      expect([refused.status, refused.body.Code]).toEqual([400, 'Throttling.User']);
      const retryAfter = Number(refused.headers.get('x-acs-retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3_600_000);
      // Other regions, keys and actions have budgets of their own.
      expect((await list(a, 'cn-shanghai')).status).toBe(200);
      expect((await list(b)).status).toBe(200);
      expect((await rawRequest(emu.endpoint, a, { Action: 'ListRegions' })).status).toBe(200);
      const log = emu.admin
        .requestLog()
        .filter(
          (e) => e.accessKeyId === 'key-a' && e.action === 'ListInstances' && e.regionId === 'cn-hangzhou',
        );
      expect(log.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'Throttling.User']);
      expect(log.map((e) => e.admitted)).toEqual([true, true, true, true, true, false]);
    } finally {
      await emu.close();
    }
  });

  it('leaves out x-acs-retry-after when told to', async () => {
    const emu = await startEmulator({
      seed: 1,
      budgets: { perAction: { ListRegions: 0 }, retryAfterHeader: false },
    });
    try {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const refused = await rawRequest(emu.endpoint, key, { Action: 'ListRegions' });
      expect([refused.status, refused.body.Code]).toEqual([400, 'Throttling.User']);
      expect(refused.headers.get('x-acs-retry-after')).toBeNull();
    } finally {
      await emu.close();
    }
  });
});

describe('faults', () => {
  it('injects each scheduled fault, and the request log shows it', async () => {
    const emu = await startEmulator({
      seed: 1,
      faults: {
        trickleMs: 300,
        schedule: FAULT_KINDS.filter((f) => f !== 'hang').map((fault, i) => ({
          action: 'ListRegions',
          call: i + 1,
          fault,
        })),
      },
    });
    try {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const call = () => rawRequest(emu.endpoint, key, { Action: 'ListRegions' });
      const internal = await call();
      expect([internal.status, internal.body.Code]).toEqual([500, 'InternalError']);
      const unavailable = await call();
      expect([unavailable.status, unavailable.body.Code]).toEqual([503, 'ServiceUnavailable']);
      await expect(call()).rejects.toThrow();
      const truncated = await call();
      expect(truncated.status).toBe(200);
      expect(() => JSON.parse(truncated.text)).toThrow();
      const started = performance.now();
      const trickled = await call();
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      expect(trickled.body.Regions).toHaveLength(3);
      const normal = await call();
      expect(normal.status).toBe(200);
      const faults = emu.admin.requestLog().map((e) => [e.fault ?? 'none', e.httpStatus]);
      expect(faults).toEqual([
        ['internal-error', 500],
        ['service-unavailable', 503],
        ['reset', 0],
        ['truncate', 200],
        ['trickle', 200],
        ['none', 200],
      ]);
    } finally {
      await emu.close();
    }
  });

  it('hang: reads the request and never answers, until the emulator closes the connection', async () => {
    const emu = await startEmulator({
      seed: 1,
      faults: { schedule: [{ action: 'ListRegions', call: 1, fault: 'hang' }] },
    });
    const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
    const hung = rawRequest(emu.endpoint, key, { Action: 'ListRegions' }).then(
      () => 'answered',
      () => 'closed',
    );
    const early = await Promise.race([hung, sleep(300).then(() => 'waiting')]);
    // The next call is answered meanwhile: only that connection hangs.
    const next = await rawRequest(emu.endpoint, key, { Action: 'ListRegions' });
    await emu.close();
    expect([early, next.status, await hung]).toEqual(['waiting', 200, 'closed']);
    expect(emu.admin.requestLog().map((e) => e.fault ?? 'none')).toEqual(['hang', 'none']);
  });

  it('injects faults by probability, the same for the same seed', async () => {
    const run = async () => {
      const emu = await startEmulator({
        seed: 8,
        faults: {
          trickleMs: 20,
          actions: {
            ListRegions: {
              internalError: 0.1,
              serviceUnavailable: 0.1,
              reset: 0.1,
              truncate: 0.1,
              trickle: 0.1,
              latencyMs: 2,
            },
          },
        },
      });
      try {
        const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
        for (let i = 0; i < 120; i++)
          await rawRequest(emu.endpoint, key, { Action: 'ListRegions' }).catch(() => undefined);
        return emu.admin.requestLog().map((e) => e.fault ?? 'none');
      } finally {
        await emu.close();
      }
    };
    const first = await run();
    // A hang is not rolled here: each would hold a request until the emulator closes.
    for (const kind of [...FAULT_KINDS.filter((f) => f !== 'hang'), 'none']) expect(first).toContain(kind);
    const share = first.filter((f) => f !== 'none').length / first.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
    expect(await run()).toEqual(first);
  });

  it('fails every request for one instance when told to', async () => {
    const emu = await startEmulator({ seed: 1 });
    try {
      const [broken, fine] = emu.admin.instances();
      emu.admin.setFaults({ instances: { [broken?.instanceId ?? '']: { internalError: 1 } } });
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const describe = (i: typeof broken) =>
        rawRequest(emu.endpoint, key, {
          Action: 'DescribeInvocations',
          RegionId: i?.regionId ?? '',
          InstanceId: i?.instanceId ?? '',
        });
      for (let n = 0; n < 3; n++) expect((await describe(broken)).status).toBe(500);
      expect((await describe(fine)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it('adds latency before answering', async () => {
    const emu = await startEmulator({ seed: 1, faults: { actions: { ListRegions: { latencyMs: 120 } } } });
    try {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const started = performance.now();
      expect((await rawRequest(emu.endpoint, key, { Action: 'ListRegions' })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await emu.close();
    }
  });

  it('refuses invalid fault settings with a message that says what to fix', async () => {
    await expect(
      startEmulator({ faults: { actions: { ListRegions: { reset: 0.7, truncate: 0.6 } } } }),
    ).rejects.toThrow(/add up to 1.3/);
    await expect(startEmulator({ faults: { profile: 'storm' as 'none' } })).rejects.toThrow(
      /none, flaky, chaos/,
    );
  });
});
