import { runBudgetSim, type SimOutcome, type SimScenario } from '../sim/budget-sim.js';
import type { BenchResult, Figure } from './results.js';

const H = 3_600_000;
const DAYS = Number(process.env.BUDGET_SIM_DAYS ?? 30);

/**
 * Scheduled archival over `BUDGET_SIM_DAYS` simulated days (default 30) at 1.2x and 0.8x the minimum `plan`
 * computes (asked again each simulated day, as the fleet grows by about 2 instances a day): once with
 * the region cap rotating records out faster than retention (a busy record lives about
 * 8 h of the 12), once with a cap that never binds. The clock is virtual (`test/sim/virtual-time.ts`): the
 * figures depend on the seed only, not on the machine; the four variants run side by side in this process.
 * Figures: records, lost, lost inside gaps, archived inside open gaps (gaps wider than the loss), gaps, the
 * budget as enforced ÷ the minimum, calls used ÷ budget.
 */
export async function budgetSim(): Promise<BenchResult> {
  const variants = (
    [
      ['cap', 3000],
      ['retention', 1_000_000],
    ] as const
  ).flatMap(([variant, recordCap]) => [1.2, 0.8].map((ratio) => ({ variant, recordCap, ratio })));
  const outcomes = await Promise.all(
    variants.map(async (v) => {
      const started = performance.now();
      const out = await runBudgetSim(scenario(v.ratio, v.recordCap));
      process.stderr.write(
        `  ${v.variant} ${v.ratio}x: ${JSON.stringify(out)} (${Math.round((performance.now() - started) / 1000)} s)\n`,
      );
      return out;
    }),
  );
  const figures: Figure[] = [];
  for (const [i, v] of variants.entries())
    figures.push(...figuresOf(`${v.variant} ${v.ratio}x`, v.ratio, outcomes[i] as SimOutcome));
  return { bench: 'budget-sim', figures };
}

function figuresOf(at: string, ratio: number, out: SimOutcome): Figure[] {
  const none = { value: 0, better: 'lower' as const };
  return [
    { name: `${at}: days`, value: DAYS, unit: 'days' },
    { name: `${at}: records`, value: out.records, unit: 'records' },
    { name: `${at}: lost`, value: out.lost, unit: 'records' },
    {
      name: `${at}: lost, expired (age or cap)`,
      value: out.lostExpired,
      unit: 'records',
      ...(ratio >= 1 ? { goal: none } : {}),
    },
    {
      name: `${at}: lost, instance released before a run read them`,
      value: out.lostReleased,
      unit: 'records',
    },
    { name: `${at}: lost inside gaps`, value: out.lostInGaps, unit: 'records' },
    { name: `${at}: lost outside gaps`, value: out.lost - out.lostInGaps, unit: 'records', goal: none },
    {
      name: `${at}: archived inside open gaps (gaps wider than the loss)`,
      value: out.archivedInOpenGaps,
      unit: 'records',
    },
    { name: `${at}: gaps`, value: out.gaps, unit: 'gaps' },
    { name: `${at}: budget as enforced ÷ minimum`, value: round(out.effectiveRatio), unit: 'x' },
    { name: `${at}: calls used ÷ budget`, value: round(out.callsUsedShare), unit: 'x' },
  ];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function scenario(budgetRatio: number, recordCap: number): SimScenario {
  return {
    seed: 7,
    durationMs: DAYS * 24 * H,
    retentionMs: 12 * H,
    recordCap,
    traffic: {
      busy: { count: 2, perMinute: 3 },
      quiet: { count: 8, perDay: 4 },
      newPerDay: 4,
      releasedPerDay: 2,
    },
    runEveryMs: H,
    maxDurationMs: 45 * 60_000,
    budgetRatio,
    warmupMs: 13 * H,
    warmupBudgetPerMinute: 10,
    budgetWindowMs: 60_000,
    // The fleet grows by about 2 instances a day: the budget follows `plan` as an operator would.
    replanEveryMs: 24 * H,
  };
}
