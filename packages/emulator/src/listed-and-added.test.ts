import { describe, expect, it } from 'vitest';
import { startEmulator } from './index.js';
import { rawRequest } from './testing/raw-request.js';

describe('ground truth of what was listed, and instances added while serving', () => {
  it('marks the records an answer listed, so that those that vanish unlisted are known', async () => {
    const emu = await startEmulator({
      seed: 3,
      fleet: { regions: ['cn-hangzhou'], instancesPerRegion: 1, invocations: 0 },
      retention: { maxRecords: 3 },
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
    });
    try {
      const key = emu.credentials[0] as (typeof emu.credentials)[number];
      const added = emu.admin.addInstance('cn-hangzhou');
      expect(() => emu.admin.addInstance('xx-nowhere')).toThrow(/no region xx-nowhere/);
      const listed = await rawRequest(emu.endpoint, key, {
        Action: 'ListInstances',
        RegionId: 'cn-hangzhou',
      });
      expect((listed.body.Instances as { InstanceId: string }[]).map((i) => i.InstanceId)).toContain(added);
      const run = () => {
        emu.admin.advance(1000);
        return emu.admin.runCommand(added, {
          name: 'x',
          type: 'RunShellScript',
          content: 'true',
          timeoutSeconds: 60,
        });
      };
      const first = [run(), run()];
      const page = {
        Action: 'DescribeInvocations',
        RegionId: 'cn-hangzhou',
        InstanceId: added,
        PageSize: '1',
      };
      await rawRequest(emu.endpoint, key, page); // lists the newest of the two only
      const later = [run(), run(), run()]; // the cap of 3 rotates both first ones out
      const truth = new Map(emu.admin.groundTruth().map((t) => [t.invokeId, t]));
      expect(first.map((id) => [truth.get(id)?.expiryReason, truth.get(id)?.listed])).toEqual([
        ['cap', false],
        ['cap', true],
      ]);
      expect(later.map((id) => truth.get(id)?.listed)).toEqual([false, false, false]);
    } finally {
      await emu.close();
    }
  });

  it('awaits beforeAnswer before answering an admitted call, and answers at the virtual time after it', async () => {
    const calls: { action: string; instanceId?: string }[] = [];
    let advance = (_ms: number) => {};
    const emu = await startEmulator({
      seed: 4,
      fleet: { regions: ['cn-hangzhou'], instancesPerRegion: 1, invocations: 0 },
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      beforeAnswer: async (call) => {
        calls.push({ action: call.action, instanceId: call.instanceId });
        advance(200);
      },
    });
    advance = (ms) => emu.admin.advance(ms);
    try {
      const key = emu.credentials[0] as (typeof emu.credentials)[number];
      const id = emu.admin.instances()[0]?.instanceId as string;
      const before = emu.admin.now();
      await rawRequest(emu.endpoint, key, {
        Action: 'DescribeInvocations',
        RegionId: 'cn-hangzhou',
        InstanceId: id,
      });
      expect(calls).toEqual([{ action: 'DescribeInvocations', instanceId: id }]);
      expect(emu.admin.now()).toBe(before + 200);
      expect(emu.admin.requestLog().at(-1)?.virtualTime).toBe(
        new Date(before + 200).toISOString().replace(/\.\d+Z$/, 'Z'),
      );
    } finally {
      await emu.close();
    }
  });
});
