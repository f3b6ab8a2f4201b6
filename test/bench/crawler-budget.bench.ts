import { Agent } from 'node:http';
import { benchCrawl, removeArchive, requestLog } from '../helpers/bench-crawl.js';
import { signedCall } from '../helpers/signed-call.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

const BUDGET = 600;
const EMULATOR_FLAGS = [
  '--seed',
  '5',
  '--regions',
  '3',
  '--instances-per-region',
  '20',
  '--invocations',
  '240000',
  '--clock-speed',
  '0',
  '--latency-ms',
  '30',
  '--budget',
  `DescribeInvocations=${BUDGET}`,
  '--admin',
];
const MINUTES = 2;

/**
 * Budget use: 3 regions, 30 ms latency, DescribeInvocations limited to 600 calls a minute per region by
 * the emulator and budgeted at 600 by the crawler. Calls per minute achieved in the first two full minutes,
 * against the budget, with no throttling; and against a sequential pager (one call in flight, which can use
 * one region's budget at a time).
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function crawlerBudget(): Promise<BenchResult> {
  const emu = await spawnEmulator(EMULATOR_FLAGS);
  try {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), (MINUTES * 60 + 8) * 1000);
    const { report, root } = await benchCrawl(emu, {
      budgets: {
        callsPerMinute: { DescribeInvocations: BUDGET, ListInstances: 100 },
        inFlight: { DescribeInvocations: 4 },
      },
      signal: abort.signal,
    });
    clearTimeout(timer);
    await removeArchive(root);
    const calls = (await requestLog(emu)).filter((e) => e.action === 'DescribeInvocations');
    const throttled = calls.filter((e) => e.outcome.startsWith('Throttling')).length;
    const start = Math.min(...calls.map((e) => e.timeMs));
    const perRegion = new Map<string, number>();
    for (const e of calls) {
      if (e.outcome === 'ok' && e.timeMs < start + MINUTES * 60_000)
        perRegion.set(e.regionId ?? '', (perRegion.get(e.regionId ?? '') ?? 0) + 1);
    }
    const achieved = [...perRegion.values()].reduce((s, n) => s + n, 0) / perRegion.size / MINUTES;

    // A sequential pager: one call in flight, region after region, as a shell loop would page, against an
    // emulator of its own (fresh budget windows). Its pace is set by latency; paging one region at a time,
    // it can use at most that region's budget. Throttled, it waits a second and goes on.
    const own = await spawnEmulator(EMULATOR_FLAGS);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const list = JSON.parse(
      await signedCall(own, agent, { Action: 'ListInstances', RegionId: 'cn-hangzhou', PageSize: '100' }),
    ) as {
      Instances: { InstanceId: string }[];
    };
    const seqStart = performance.now();
    let seqCalls = 0;
    for (let page = 1; performance.now() - seqStart < 20_000; page++) {
      const instance = list.Instances[page % list.Instances.length]?.InstanceId ?? '';
      const params = {
        Action: 'DescribeInvocations',
        RegionId: 'cn-hangzhou',
        InstanceId: instance,
        PageNumber: String(1 + (page % 40)),
        PageSize: '50',
      };
      try {
        await signedCall(own, agent, params);
        seqCalls++;
      } catch {
        // Throttled: a sequential pager can only wait and try again, as a shell loop over the CLI would.
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    agent.destroy();
    await own.stop();
    const sequentialPerMinute = Math.min(BUDGET, (seqCalls / (performance.now() - seqStart)) * 60_000);
    return {
      bench: 'crawler-budget',
      figures: [
        {
          name: 'DescribeInvocations calls/min achieved per region ÷ budget',
          value: Number((achieved / BUDGET).toFixed(3)),
          unit: '×',
          goal: { value: 0.95, better: 'higher' },
          note: `budget ${BUDGET}/min, 3 regions, 30 ms latency, first ${MINUTES} full minutes`,
        },
        {
          name: 'throttled calls',
          value: throttled + report.throttles,
          unit: 'calls',
          goal: { value: 0, better: 'lower' },
        },
        {
          name: 'calls/min achieved across the 3 regions',
          value: Math.round(achieved * perRegion.size),
          unit: 'calls/min',
        },
        {
          name: 'sequential pager (one call in flight, one region at a time, within the budget)',
          value: Math.round(sequentialPerMinute),
          unit: 'calls/min',
          note: 'a shell loop over the aliyun CLI is slower still: it starts a process per call',
        },
        {
          name: 'crawler ÷ sequential pager',
          value: Number(((achieved * perRegion.size) / sequentialPerMinute).toFixed(2)),
          unit: '×',
        },
      ],
    };
  } finally {
    await emu.stop();
  }
}
