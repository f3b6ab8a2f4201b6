import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { signedCall } from '../helpers/signed-call.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

const IN_FLIGHT = 8;

/**
 * End-to-end overhead on 1,000,000 invocations, no latency, no budget: records/s of a full crawl into a
 * fresh archive against the rate at which the emulator alone can be drained (the ceiling here), and the
 * crawler process's peak RSS.
 */
// One function on purpose: a benchmark reads as its procedure, top to bottom.
export async function crawlerOverhead(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '9',
    '--regions',
    '10',
    '--instances-per-region',
    '10',
    '--invocations',
    '1000000',
    '--clock-speed',
    '0',
  ]);
  try {
    // The ceiling: every page of every instance, nothing done with them.
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const regions = (
      JSON.parse(await signedCall(emu, agent, { Action: 'ListRegions' })) as {
        Regions: { RegionId: string }[];
      }
    ).Regions;
    const targets: { regionId: string; instanceId: string }[] = [];
    for (const r of regions) {
      const list = JSON.parse(
        await signedCall(emu, agent, { Action: 'ListInstances', RegionId: r.RegionId, PageSize: '100' }),
      ) as { Instances: { InstanceId: string }[] };
      for (const i of list.Instances) targets.push({ regionId: r.RegionId, instanceId: i.InstanceId });
    }
    let drained = 0;
    const drainStart = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let t = targets.shift(); t; t = targets.shift()) {
          for (let page = 1; ; page++) {
            const body = await signedCall(emu, agent, {
              Action: 'DescribeInvocations',
              RegionId: t.regionId,
              InstanceId: t.instanceId,
              PageNumber: String(page),
              PageSize: '50',
            });
            const n = (body.match(/"InvokeId"/g) ?? []).length;
            drained += n;
            if (n < 50) break;
          }
        }
      }),
    );
    const drainRate = drained / ((performance.now() - drainStart) / 1000);
    agent.destroy();

    const worker = fileURLToPath(new URL('./crawl-worker.mjs', import.meta.url));
    const perRegion = Math.max(1, Math.ceil(IN_FLIGHT / regions.length));
    const crawlOnce = async (nodeFlags: string[]) => {
      const child = spawn(
        process.execPath,
        [...nodeFlags, worker, emu.endpoint, emu.accessKeyId, emu.accessKeySecret, String(perRegion)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await once(child, 'exit');
      return JSON.parse(out) as { records: number; seconds: number; peakRssMb: number; outcome: string };
    };
    const result = await crawlOnce([]);
    const capped = await crawlOnce(['--max-old-space-size=192']);
    const crawlRate = result.records / result.seconds;
    const report = { recordsNew: result.records };
    return {
      bench: 'crawler-overhead',
      figures: [
        {
          name: 'crawl records/s ÷ emulator-only drain rate',
          value: Number((crawlRate / drainRate).toFixed(3)),
          unit: '×',
          goal: { value: 0.7, better: 'higher' },
          note: `${report.recordsNew.toLocaleString('en-US')} invocations, ${IN_FLIGHT} calls in flight, both on this 2-core machine with the emulator`,
        },
        { name: 'crawl, end to end into committed Parquet', value: Math.round(crawlRate), unit: 'records/s' },
        { name: 'emulator-only drain', value: Math.round(drainRate), unit: 'records/s' },
        {
          name: 'peak RSS of the crawling process',
          value: result.peakRssMb,
          unit: 'MB',
          goal: { value: 400, better: 'lower' },
          note: 'the crawl runs in a process of its own, Node defaults',
        },
        {
          name: 'peak RSS with the V8 heap capped (--max-old-space-size=192)',
          value: capped.peakRssMb,
          unit: 'MB',
          goal: { value: 400, better: 'lower' },
          note: `${Math.round(capped.records / capped.seconds)} records/s so`,
        },
      ],
    };
  } finally {
    await emu.stop();
  }
}
