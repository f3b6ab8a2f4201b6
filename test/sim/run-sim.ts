// A scheduled-archival simulation from the command line (not yet a bench: see the issue-14 note):
//   node --import tsx test/sim/run-sim.ts [budget ratio = 1.2] [hours after warm-up = 24] [record cap = 3000]
// SIM_WARMUP_H (3) sets the warm-up's hours, as the bench's 13; SIM_REPLAN_H asks plan again this often, as the bench's 24;
// SIM_ORDER=oldest-first lists invocations oldest first.
// SIM_DEBUG=1 prints the crawl events and every lost record outside a gap.
import { runBudgetSim } from './budget-sim.js';

const H = 3_600_000;
const ratio = Number(process.argv[2] ?? 1.2);
const t0 = performance.now();
const out = await runBudgetSim(
  {
    seed: 7,
    durationMs: Number(process.argv[3] ?? 24) * H,
    retentionMs: 12 * H,
    recordCap: Number(process.argv[4] ?? 3000),
    traffic: {
      busy: { count: 2, perMinute: 3 },
      quiet: { count: 8, perDay: 4 },
      newPerDay: 4,
      releasedPerDay: 2,
    },
    runEveryMs: H,
    maxDurationMs: 45 * 60_000,
    budgetRatio: ratio,
    warmupMs: Number(process.env.SIM_WARMUP_H ?? 3) * H,
    warmupBudgetPerMinute: 10,
    budgetWindowMs: 60_000,
    ...(process.env.SIM_ORDER === 'oldest-first' ? { order: 'oldest-first' as const } : {}),
    ...(process.env.SIM_REPLAN_H ? { replanEveryMs: Number(process.env.SIM_REPLAN_H) * H } : {}),
  },
  (l) => console.error(l),
);
console.log(JSON.stringify(out), ((performance.now() - t0) / 1000).toFixed(1), 's');
