import RPCClient from '@alicloud/pop-core';
import { QuerySession } from '@swas-archive/query';
import { describe, expect, it } from 'vitest';
import { crawlOnce, withArchiveRoot, withEmulator } from './helpers/harness.js';

const fleet = {
  seed: 41,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 1, instancesPerRegion: 3, invocations: 300 },
};

async function rows(root: string, sql: string): Promise<Record<string, unknown>[]> {
  const session = await QuerySession.open(root);
  try {
    return (await session.run(sql)).rows;
  } finally {
    session.close();
  }
}

describe('views', () => {
  it('gaps: an instance that failed shows an open gap, resolved once a later run covers it', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        await crawlOnce(emu, root);
        const [broken, gone] = emu.admin.instances();
        emu.admin.setFaults({ instances: { [broken?.instanceId ?? '']: { internalError: 1 } } });
        emu.admin.release(gone?.instanceId ?? '');
        emu.admin.advance(3_600_000);
        await crawlOnce(emu, root, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
        const open = await rows(
          root,
          'SELECT instance_id, gap_reason, resolved FROM gaps ORDER BY gap_reason',
        );
        expect(open).toEqual([
          { instance_id: broken?.instanceId, gap_reason: 'instance-failed', resolved: false },
          { instance_id: gone?.instanceId, gap_reason: 'released', resolved: false },
        ]);
        emu.admin.setFaults({});
        await crawlOnce(emu, root);
        const after = await rows(
          root,
          'SELECT instance_id, gap_reason, resolved FROM gaps ORDER BY gap_reason',
        );
        expect(after).toEqual([
          { instance_id: broken?.instanceId, gap_reason: 'instance-failed', resolved: true },
          { instance_id: gone?.instanceId, gap_reason: 'released', resolved: false },
        ]);
        const instances = await rows(
          root,
          'SELECT instance_id, status, released_at IS NOT NULL AS released FROM instances_latest ORDER BY instance_id',
        );
        expect(instances.find((i) => i.instance_id === gone?.instanceId)).toEqual({
          instance_id: gone?.instanceId,
          status: 'Released',
          released: true,
        });
        expect(instances.filter((i) => i.released)).toHaveLength(1);
      });
    });
  });

  it('invocations: one row per invocation with its latest state and latest result; history keeps each change', async () => {
    await withEmulator(fleet, async (emu) => {
      await withArchiveRoot(async (root) => {
        const instance = emu.admin.instances()[0];
        await crawlOnce(emu, root, { withResults: true });
        // A command started now: archived while running, then again once it failed, with its result.
        const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
        const pop = new RPCClient({ endpoint: emu.endpoint, apiVersion: '2020-06-01', ...key });
        const { InvokeId } = (await pop.request(
          'RunCommand',
          {
            RegionId: instance?.regionId,
            InstanceId: instance?.instanceId,
            Name: 'probe',
            Type: 'RunShellScript',
            CommandContent: 'echo 你好; exit 7',
            Timeout: 60,
          },
          { method: 'POST' },
        )) as { InvokeId: string };
        emu.admin.advance(1000);
        await crawlOnce(emu, root, { withResults: true });
        emu.admin.advance(60_000);
        await crawlOnce(emu, root, { withResults: true });
        const [inv] = await rows(
          root,
          `SELECT invocation_status, exit_code, error_code, command_content, observations FROM invocations WHERE invoke_id = '${InvokeId}'`,
        );
        expect(inv).toEqual({
          invocation_status: 'Failed',
          exit_code: 7,
          error_code: 'ExitCodeNonzero',
          command_content: 'echo 你好; exit 7',
          observations: 2,
        });
        const history = await rows(
          root,
          `SELECT invocation_status, has_result FROM invocation_history WHERE invoke_id = '${InvokeId}' ORDER BY observed_at`,
        );
        expect(history).toEqual([
          { invocation_status: 'Running', has_result: false },
          { invocation_status: 'Failed', has_result: true },
        ]);
        const [counts] = await rows(
          root,
          'SELECT count(*) AS n, count(DISTINCT invoke_id) AS d FROM invocations',
        );
        expect(counts?.n).toBe(counts?.d);
        expect(counts?.n).toBe(emu.admin.groundTruth().length);
      });
    });
  });
});
