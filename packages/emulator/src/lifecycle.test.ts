import RPCClient from '@alicloud/pop-core';
import { describe, expect, it } from 'vitest';
import { startEmulator } from './index.js';

const DAY = 86_400_000;
const START = '2026-03-01T00:00:00Z';

describe('retention and the record cap', () => {
  it('evicts records older than the retention window as the clock advances', async () => {
    const emu = await startEmulator({
      seed: 5,
      clock: { start: START, speed: 0 },
      fleet: { invocations: 300 },
    });
    try {
      const before = emu.admin.groundTruth();
      expect(before.every((t) => !t.expiredAt)).toBe(true);
      emu.admin.advance(3 * DAY);
      const after = emu.admin.groundTruth();
      const cutoff = Date.parse(START) + 3 * DAY - 14 * DAY;
      for (const t of after) {
        const created = Date.parse(t.creationTime);
        if (created + 14 * DAY <= Date.parse(START) + 3 * DAY) {
          expect(t.expiryReason).toBe('retention');
          expect(Date.parse(t.expiredAt ?? '')).toBe(Math.floor(created / 1000) * 1000 + 14 * DAY);
        } else {
          expect(t.expiredAt).toBeUndefined();
        }
      }
      const gone = after.filter((t) => t.expiredAt).length;
      expect(gone).toBe(before.filter((t) => Date.parse(t.creationTime) < cutoff).length);
      expect(gone).toBeGreaterThan(0);
      const held = emu.admin.instances().reduce((s, i) => s + i.held, 0);
      expect(held).toBe(after.length - gone);
    } finally {
      await emu.close();
    }
  });

  it('keeps at most maxRecords per region, evicting the oldest first', async () => {
    const emu = await startEmulator({
      seed: 6,
      clock: { start: START, speed: 0 },
      fleet: { regions: 2, invocations: 400 },
      retention: { maxRecords: 120 },
    });
    try {
      const truth = emu.admin.groundTruth();
      for (const regionId of ['cn-hangzhou', 'cn-shanghai']) {
        const inRegion = truth.filter((t) => t.regionId === regionId);
        const kept = inRegion.filter((t) => !t.expiredAt);
        expect(kept.length).toBe(Math.min(120, inRegion.length));
        // Everything evicted is older than (or as old as) everything kept.
        const newestEvicted = Math.max(
          ...inRegion.filter((t) => t.expiredAt).map((t) => Date.parse(t.creationTime)),
        );
        const oldestKept = Math.min(...kept.map((t) => Date.parse(t.creationTime)));
        expect(newestEvicted).toBeLessThanOrEqual(oldestKept);
        expect(inRegion.filter((t) => t.expiredAt).every((t) => t.expiryReason === 'cap')).toBe(true);
      }
    } finally {
      await emu.close();
    }
  });

  it('counts the cap across the account when asked', async () => {
    const emu = await startEmulator({
      seed: 6,
      clock: { start: START, speed: 0 },
      fleet: { regions: 3, invocations: 400 },
      retention: { maxRecords: 150, capScope: 'account' },
    });
    try {
      expect(emu.admin.groundTruth().filter((t) => !t.expiredAt).length).toBe(150);
    } finally {
      await emu.close();
    }
  });
});

describe('live change', () => {
  it('adds invocations, finishes running ones and releases instances as time passes', async () => {
    const emu = await startEmulator({
      seed: 9,
      clock: { start: START, speed: 0 },
      fleet: { regions: 2, instancesPerRegion: 3, invocations: 100 },
      live: { invocationsPerMinute: 20, releasesPerHour: 1 },
    });
    try {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const before = emu.admin.groundTruth();
      emu.admin.advance(2 * 3_600_000);
      const after = emu.admin.groundTruth();
      const added = after.length - before.length;
      expect(added).toBeGreaterThan(2 * 60 * 20 * 0.8);
      expect(added).toBeLessThan(2 * 60 * 20 * 1.2);
      // Recent arrivals are still running; a day later every one of them has reached a final status.
      const lastMinute = Date.parse(emu.admin.nowIso()) - 10 * 60_000;
      const running = after.filter(
        (t) => Date.parse(t.creationTime) >= lastMinute && t.invokeStatus === 'Running',
      );
      expect(running.length).toBeGreaterThan(0);
      emu.admin.advance(DAY);
      const later = new Map(emu.admin.groundTruth().map((t) => [t.invokeId, t]));
      for (const t of running) {
        const now = later.get(t.invokeId);
        // A record that vanished (its instance released) keeps the status it had then.
        if (now?.expiryReason !== 'released') expect(now?.invokeStatus).not.toBe('Running');
      }
      const released = emu.admin.instances().filter((i) => i.releasedAt);
      expect(released.length).toBeGreaterThan(0);
      const gone = released[0];
      const client = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2020-06-01', ...key });
      const err = await client
        .request(
          'DescribeInvocations',
          { RegionId: gone?.regionId, InstanceId: gone?.instanceId },
          { method: 'POST' },
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'InvalidInstanceId.NotFound' });
      const ofGone = emu.admin.groundTruth().filter((t) => t.instanceId === gone?.instanceId);
      expect(ofGone.some((t) => t.expiryReason === 'released')).toBe(true);
      for (const t of ofGone) {
        expect(t.expiredAt).toBeDefined();
        if (t.expiryReason !== 'released')
          expect(Date.parse(t.expiredAt ?? '')).toBeLessThanOrEqual(Date.parse(gone?.releasedAt ?? ''));
      }
      const listed = (await client.request(
        'ListInstances',
        { RegionId: gone?.regionId, PageSize: 100 },
        { method: 'POST' },
      )) as {
        Instances: { InstanceId: string }[];
      };
      expect(listed.Instances.map((i) => i.InstanceId)).not.toContain(gone?.instanceId);
    } finally {
      await emu.close();
    }
  });

  it('runs a command through Pending, Running and its final status on the clock', async () => {
    const emu = await startEmulator({ seed: 2, clock: { start: START, speed: 0 } });
    try {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const client = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2020-06-01', ...key });
      const instance = emu.admin.instances()[0];
      const target = { RegionId: instance?.regionId, InstanceId: instance?.instanceId };
      const { InvokeId } = (await client.request(
        'RunCommand',
        {
          ...target,
          Name: 'fail-on-purpose',
          Type: 'RunShellScript',
          CommandContent: 'echo 你好\nexit 3',
          Timeout: 60,
        },
        { method: 'POST' },
      )) as { InvokeId: string };
      const status = async () =>
        (
          (await client.request('DescribeInvocationResult', { ...target, InvokeId }, { method: 'POST' })) as {
            InvocationResult: { InvocationStatus: string; ExitCode: number; ErrorCode: string };
          }
        ).InvocationResult;
      expect((await status()).InvocationStatus).toBe('Pending');
      emu.admin.advance(1000);
      expect((await status()).InvocationStatus).toBe('Running');
      emu.admin.advance(5000);
      expect(await status()).toMatchObject({
        InvocationStatus: 'Failed',
        ExitCode: 3,
        ErrorCode: 'ExitCodeNonzero',
      });
      const page = (await client.request(
        'DescribeInvocations',
        { ...target, PageSize: 1 },
        { method: 'POST' },
      )) as {
        Invocations: { InvokeId: string; CommandContent: string; CommandName: string }[];
      };
      expect(page.Invocations[0]?.InvokeId).toBe(InvokeId);
      expect(Buffer.from(page.Invocations[0]?.CommandContent ?? '', 'base64').toString('utf8')).toBe(
        'echo 你好\nexit 3',
      );
    } finally {
      await emu.close();
    }
  });
});

describe('determinism', () => {
  it('builds the same fleet from the same seed, and another from another seed', async () => {
    const options = { clock: { start: START, speed: 0 }, fleet: { invocations: 500 } };
    const a = await startEmulator({ ...options, seed: 21 });
    const b = await startEmulator({ ...options, seed: 21 });
    const c = await startEmulator({ ...options, seed: 22 });
    try {
      expect(b.admin.groundTruth()).toEqual(a.admin.groundTruth());
      expect(b.admin.instances()).toEqual(a.admin.instances());
      expect(b.credentials).toEqual(a.credentials);
      expect(c.admin.groundTruth().map((t) => t.invokeId)).not.toEqual(
        a.admin.groundTruth().map((t) => t.invokeId),
      );
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('generates a realistic mix: both OS families, non-ASCII text, failure hot spots', async () => {
    const emu = await startEmulator({
      seed: 4,
      clock: { start: START, speed: 0 },
      fleet: { regions: 4, instancesPerRegion: 10, invocations: 8000 },
    });
    try {
      const truth = emu.admin.groundTruth();
      const types = new Set(truth.map((t) => t.commandType));
      expect(types).toEqual(new Set(['RunShellScript', 'RunBatScript', 'RunPowerShellScript']));
      expect(truth.some((t) => /[^ -~\s]/.test(t.commandContent))).toBe(true);
      expect(truth.some((t) => Object.keys(t.parameters).length > 0)).toBe(true);
      const statuses = new Set(truth.map((t) => t.invocationStatus));
      for (const s of ['Success', 'Failed', 'Timeout', 'Error']) expect(statuses).toContain(s);
      const rate = (name: string) => {
        const runs = truth.filter((t) => t.commandName === name && t.invokeStatus !== 'Running');
        return runs.filter((t) => t.invokeStatus === 'Failed').length / runs.length;
      };
      expect(rate('deploy-app')).toBeGreaterThan(3 * rate('disk-usage'));
    } finally {
      await emu.close();
    }
  });
});
