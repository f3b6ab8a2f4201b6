import { type BudgetPlan, planArchive } from '@swas-archive/pipelines';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { actionNumber, DATA_HELP, dataDir, positiveInt, positiveNumber } from '../parse-flags.js';
import { durationFlag } from './archive-config.js';
import { requireArchive } from './query.js';

/** The flags of `plan`. */
interface PlanFlags {
  data?: string;
  every: string;
  maxDuration?: string;
  budget?: Record<string, number>;
  retentionDays: number;
  recordCap: number;
  capScope: 'region' | 'account';
  withResults: boolean;
  json: boolean;
}

/** `swas-archive plan`: can the archive job keep up with the fleet as last seen, and what budget it needs. */
export function planCommand(ctx: CommandContext): Command {
  return new Command('plan')
    .description(
      'say whether archival keeps up with the fleet as last archived, and the least budget that does',
    )
    .option('--data <dir>', DATA_HELP)
    .option('--every <duration>', 'how often the archive job runs', '6h')
    .option('--max-duration <duration>', 'the longest a run may take (default: --every)')
    .option(
      '--budget <Action=N>',
      'calls per minute per account and region, repeatable',
      actionNumber('--budget'),
    )
    .option('--retention-days <d>', "the service's retention", positiveNumber('--retention-days'), 14)
    .option('--record-cap <n>', 'records the service keeps at most', positiveInt('--record-cap'), 100_000)
    .option('--cap-scope <scope>', 'whether the cap counts per region or per account', 'account')
    .option('--with-results', 'the job also fetches results', false)
    .option('--json', 'print the plan as JSON', false)
    .addHelpText(
      'after',
      `
Reads the archive only (no API call): the instances still listed, each one's
arrival rate, and since when its records may be unarchived. Exit 8 when the
budgets or the schedule cannot keep up. The minimum is drift-aware (README).
${examples(['swas-archive plan --every 6h --max-duration 4h', 'the default budgets, runs every 6 hours of up to 4'], ['swas-archive plan --budget DescribeInvocations=600 --json', 'a higher budget, for a machine'])}`,
    )
    .action(async (flags: PlanFlags) => {
      ctx.exit(await runPlan(flags, ctx));
    });
}

async function runPlan(flags: PlanFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  const runEveryMs = durationFlag('--every', flags.every) as number;
  await requireArchive(root);
  const plan = await planArchive({
    root,
    runEveryMs,
    maxDurationMs: durationFlag('--max-duration', flags.maxDuration),
    retentionMs: flags.retentionDays * 86_400_000,
    recordCap: flags.recordCap,
    capScope: flags.capScope === 'region' ? 'region' : 'account',
    withResults: flags.withResults,
    budgets: { callsPerMinute: flags.budget },
  });
  io.stdout.write(flags.json ? `${JSON.stringify(plan, jsonValue, 2)}\n` : planText(plan));
  return plan.keepsUp ? EXIT.ok : EXIT.unhealthy;
}

/** Infinite deadlines (never archived) as null in JSON. */
const jsonValue = (_key: string, value: unknown) =>
  typeof value === 'number' && !Number.isFinite(value) ? null : value;

function planText(plan: BudgetPlan): string {
  const lines = [
    `${plan.keepsUp ? 'keeps up' : 'CANNOT KEEP UP'}: headroom ${plan.headroom.toFixed(2)} (budget ÷ minimum, the tightest region)`,
  ];
  for (const r of plan.regions) {
    lines.push(
      `${r.account}/${r.regionId}: ${r.instances} instances (${r.busy} busy), ${r.arrivalsPerMinute.toFixed(2)} records/min, records live ${(r.lifetimeMs / 3_600_000).toFixed(1)} h`,
    );
    for (const [action, min] of Object.entries(r.minimum) as [keyof typeof r.budget, number][])
      if (min > 0) lines.push(`  ${action}: minimum ${min.toFixed(3)}/min, budget ${r.budget[action]}/min`);
    for (const p of r.problems) lines.push(`  problem: ${p}`);
  }
  lines.push('at risk first:');
  for (const i of plan.atRisk.slice(0, 10)) {
    const when = Number.isFinite(i.deadline) ? new Date(i.deadline).toISOString() : 'never archived';
    lines.push(
      `  ${i.account}/${i.regionId}/${i.instanceId}  expires ${when}  ${i.ratePerMinute.toFixed(2)}/min`,
    );
  }
  return `${lines.join('\n')}\n`;
}
