import { Agent } from 'node:http';
import { signedCall as call } from '../helpers/signed-call.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

/**
 * `DescribeInvocations` pages of 50 served per second by the emulator (its own process, faults off),
 * with V2 signatures verified, several requests in flight over keep-alive connections.
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function emulatorThroughput(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '1',
    '--regions',
    '1',
    '--instances-per-region',
    '20',
    '--invocations',
    '200000',
    '--clock-speed',
    '0',
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const list = await call(emu, agent, {
      Action: 'ListInstances',
      RegionId: 'cn-hangzhou',
      PageSize: '100',
    });
    const ids = (JSON.parse(list) as { Instances: { InstanceId: string }[] }).Instances.map(
      (i) => i.InstanceId,
    );
    // Only full pages: every (instance, page) pair below holds 50 records.
    const targets: { instanceId: string; page: number }[] = [];
    for (const instanceId of ids) {
      const first = await call(emu, agent, {
        Action: 'DescribeInvocations',
        RegionId: 'cn-hangzhou',
        InstanceId: instanceId,
        PageSize: '50',
      });
      const full = Math.floor((JSON.parse(first) as { TotalCount: number }).TotalCount / 50);
      for (let page = 1; page <= full; page++) targets.push({ instanceId, page });
    }
    const inFlight = 8;
    const seconds = 6;
    let pages = 0;
    let records = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        let n = worker;
        while (performance.now() < until) {
          const { instanceId, page } = targets[n % targets.length] as (typeof targets)[number];
          await call(emu, agent, {
            Action: 'DescribeInvocations',
            RegionId: 'cn-hangzhou',
            InstanceId: instanceId,
            PageNumber: String(page),
            PageSize: '50',
          });
          records += 50;
          pages++;
          n += inFlight;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return {
      bench: 'emulator-throughput',
      figures: [
        {
          name: 'DescribeInvocations pages of 50 served',
          value: Math.round(pages / elapsed),
          unit: 'pages/s',
          goal: { value: 2000, better: 'higher' },
          note: `${inFlight} in flight, V2 signatures`,
        },
        { name: 'records served', value: Math.round(records / elapsed), unit: 'records/s' },
      ],
    };
  } finally {
    agent.destroy();
    await emu.stop();
  }
}
