import { benchCrawl, removeArchive, requestLog } from '../helpers/bench-crawl.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

const UNLIMITED = {
  callsPerMinute: { ListRegions: 1e6, ListInstances: 1e6, DescribeInvocations: 1e6 },
  inFlight: { DescribeInvocations: 8 },
};

/** Incremental run after 1% new invocations: calls against instances + Σ ceil(new per instance / 50). */
// One function on purpose: a benchmark reads as its procedure, top to bottom.
export async function crawlerIncremental(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '8',
    '--regions',
    '4',
    '--instances-per-region',
    '25',
    '--invocations',
    '100000',
    '--clock-speed',
    '0',
    '--live-rate',
    '10',
    '--admin',
  ]);
  try {
    const first = await benchCrawl(emu, { budgets: UNLIMITED });
    const before = (await (await fetch(`${emu.admin}ground-truth`)).json()) as { invokeId: string }[];
    // 100 minutes at 10 a minute: 1,000 new invocations, 1% of the fleet.
    await fetch(`${emu.admin}clock/advance?ms=${100 * 60_000}`, { method: 'POST' });
    const truth = (await (await fetch(`${emu.admin}ground-truth`)).json()) as {
      invokeId: string;
      instanceId: string;
    }[];
    const known = new Set(before.map((t) => t.invokeId));
    const perInstance = new Map<string, number>();
    for (const t of truth)
      if (!known.has(t.invokeId)) perInstance.set(t.instanceId, (perInstance.get(t.instanceId) ?? 0) + 1);
    const instances = new Set(truth.map((t) => t.instanceId)).size;
    const floor = instances + [...perInstance.values()].reduce((s, n) => s + Math.ceil(n / 50), 0);
    const logBefore = (await requestLog(emu)).length;
    const second = await benchCrawl(emu, { budgets: UNLIMITED }, first.root);
    const calls = (await requestLog(emu))
      .slice(logBefore)
      .filter((e) => e.action === 'DescribeInvocations').length;
    await removeArchive(first.root);
    const added = [...perInstance.values()].reduce((s, n) => s + n, 0);
    return {
      bench: 'crawler-incremental',
      figures: [
        {
          name: 'DescribeInvocations calls ÷ (instances + Σ ceil(new/50))',
          value: Number((calls / floor).toFixed(3)),
          unit: '×',
          goal: { value: 1.1, better: 'lower' },
          note: `${added} new invocations (${((added / before.length) * 100).toFixed(2)}%), ${instances} instances`,
        },
        { name: 'calls of the incremental run', value: calls, unit: 'calls' },
        {
          name: 'calls of the first (full) run',
          value: first.report.callsByAction.DescribeInvocations,
          unit: 'calls',
        },
        { name: 'new invocations archived', value: second.report.recordsNew, unit: 'invocations' },
      ],
    };
  } finally {
    await emu.stop();
  }
}
