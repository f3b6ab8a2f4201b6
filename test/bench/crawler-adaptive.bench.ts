import { benchCrawl, removeArchive, requestLog } from '../helpers/bench-crawl.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

const LIMIT = 300;

/**
 * Adaptive rate: the emulator allows 300 DescribeInvocations a minute per region, the crawler is told 600.
 * Share of throttled calls, throughput against the real limit, and whether the archive is complete.
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function crawlerAdaptive(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '6',
    '--regions',
    '2',
    '--instances-per-region',
    '10',
    '--invocations',
    '50000',
    '--clock-speed',
    '0',
    '--latency-ms',
    '10',
    '--budget',
    `DescribeInvocations=${LIMIT}`,
    '--admin',
  ]);
  try {
    const started = Date.now();
    const { report, root } = await benchCrawl(emu, {
      budgets: {
        callsPerMinute: { DescribeInvocations: 2 * LIMIT, ListInstances: 100 },
        inFlight: { DescribeInvocations: 4 },
      },
      retry: { attempts: 20 },
    });
    const seconds = (Date.now() - started) / 1000;
    await removeArchive(root);
    const calls = (await requestLog(emu)).filter((e) => e.action === 'DescribeInvocations');
    const throttled = calls.filter((e) => e.outcome.startsWith('Throttling')).length;
    // Each region over its own active span: regions hold unequal work and finish at different times.
    const rates = [...new Set(calls.map((e) => e.regionId))].map((regionId) => {
      const mine = calls.filter((e) => e.regionId === regionId);
      const span = Math.max(...mine.map((e) => e.timeMs)) - Math.min(...mine.map((e) => e.timeMs));
      return mine.filter((e) => e.outcome === 'ok').length / (span / 60_000);
    });
    const throughput = rates.reduce((a, b) => a + b, 0) / rates.length;
    return {
      bench: 'crawler-adaptive',
      figures: [
        {
          name: 'throttled share of DescribeInvocations calls',
          value: Number((throttled / calls.length).toFixed(4)),
          unit: '×',
          goal: { value: 0.03, better: 'lower' },
          note: `limit ${LIMIT}/min per region, crawler told ${2 * LIMIT}`,
        },
        {
          name: 'throughput ÷ the real limit',
          value: Number((throughput / LIMIT).toFixed(3)),
          unit: '×',
          goal: { value: 0.85, better: 'higher' },
          note: `${Math.round(seconds)} s run, each region over its own active span`,
        },
        {
          name: 'archive complete (1 = yes)',
          value: report.outcome === 'complete' ? 1 : 0,
          unit: '',
          goal: { value: 1, better: 'higher' },
        },
        { name: 'throttled calls', value: throttled, unit: 'calls' },
      ],
    };
  } finally {
    await emu.stop();
  }
}
