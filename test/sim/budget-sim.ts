import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { archiveJob, planArchive } from '@swas-archive/pipelines';
import { QuerySession } from '@swas-archive/query';
import { SimTraffic, type TrafficShape } from './sim-traffic.js';
import { VirtualTime } from './virtual-time.js';

const MINUTE = 60_000;
const REGION = 'cn-hangzhou';

/** One simulated month (or less) of scheduled archival at a budget that is a share of `plan`'s minimum. */
export interface SimScenario {
  seed: number;
  /** Simulated time after the warm-up. */
  durationMs: number;
  /** The order of `DescribeInvocations` answers (the API does not say which). @default 'newest-first' */
  order?: 'newest-first' | 'oldest-first';
  /** Virtual time each API call takes (the clock is virtual: see `virtual-time.ts`). @default 200 */
  latencyMs?: number;
  retentionMs: number;
  recordCap: number;
  traffic: TrafficShape;
  runEveryMs: number;
  maxDurationMs: number;
  /** The budget, as a share of the minimum `plan` computes after the warm-up. */
  budgetRatio: number;
  /** Runs at a generous budget before `plan` is asked, so the archive knows the rates. */
  warmupMs: number;
  warmupBudgetPerMinute: number;
  /**
   * About how long the budget window is, ms: budgets below a few calls a minute are counted as whole calls
   * over a longer window, whose length is then set so that the rate is exactly the budget.
   */
  budgetWindowMs: number;
  /**
   * Ask `plan` again this often during the period and set the budget to the ratio of its new minimum, as
   * an operator following `plan` would while the fleet grows or shrinks; the minimum of the warm-up holds
   * throughout when absent.
   */
  replanEveryMs?: number;
}

/**
 * After the period, one run at the warm-up budget with no time limit settles the accounting: the holes
 * stopped runs left are read to their end, so what they lost is reported as the gaps it is.
 */
const SETTLE = true;

/** What happened, checked against the emulator's ground truth. */
export interface SimOutcome {
  minimumPerMinute: number;
  budgetPerMinute: number;
  /** The budget as enforced (whole calls per window, its safety margin included) ÷ the minimum. */
  effectiveRatio: number;
  runs: number;
  records: number;
  archived: number;
  /** Records that vanished (age, cap or release) without being archived. */
  lost: number;
  /** Of them, those that expired (age or cap): what a budget that keeps up must save. */
  lostExpired: number;
  /** Of them, those of instances released before a run read them (no budget saves them; reported as gaps). */
  lostReleased: number;
  /** Of them, those no answer ever listed (the emulator's own count). */
  lostUnseen: number;
  /** Lost records inside a reported gap of their instance. */
  lostInGaps: number;
  /** Archived records inside a gap no later run resolved: gaps wider than the loss. */
  archivedInOpenGaps: number;
  gaps: number;
  /** DescribeInvocations calls of the budgeted runs ÷ what the budget allowed over their time. */
  callsUsedShare: number;
}

/** Calls per window, and the window, that enforce `perMinute` exactly (the crawler's 1-s safety margin included). */
export function budgetWindow(perMinute: number, aboutMs: number): { calls: number; windowMs: number } {
  const calls = Math.max(1, Math.round((perMinute * aboutMs) / MINUTE));
  return { calls, windowMs: (calls * MINUTE) / perMinute - SAFETY_MS };
}

const SAFETY_MS = 1000;

/** Runs `scenario` against an in-process emulator, the archive job on its schedule; resolves with the outcome. */
export async function runBudgetSim(
  scenario: SimScenario,
  onRun?: (line: string) => void,
): Promise<SimOutcome> {
  const shape = scenario.traffic;
  let time: VirtualTime | undefined;
  const emu = await startEmulator({
    seed: scenario.seed,
    fleet: { regions: [REGION], instancesPerRegion: shape.busy.count + shape.quiet.count, invocations: 0 },
    retention: { maxAgeMs: scenario.retentionMs, maxRecords: scenario.recordCap, capScope: 'region' },
    clock: { start: '2026-03-01T00:00:00Z', speed: 0 },
    order: scenario.order ?? 'newest-first',
    beforeAnswer: () => (time as VirtualTime).latency(),
  });
  const root = await mkdtemp(join(tmpdir(), 'swas-sim-'));
  const vt = new VirtualTime(emu, new SimTraffic(emu, shape, scenario.seed), scenario.latencyMs ?? 200);
  time = vt;
  try {
    const start = emu.admin.now();
    const job = (budgetPerMinute: number, limited = true) => {
      const { calls, windowMs } = budgetWindow(budgetPerMinute, scenario.budgetWindowMs);
      vt.maxDurationMs = limited ? scenario.maxDurationMs : undefined;
      return archiveJob({
        root,
        accounts: [{ name: 'sim', credentials: emu.credentials[0] }],
        endpoint: emu.endpoint,
        regions: [REGION],
        // One instance walked at a time: the virtual clock follows one wait at a time (virtual-time.ts).
        budgets: {
          callsPerMinute: { DescribeInvocations: calls },
          inFlight: { DescribeInvocations: 1 },
          windowMs,
          safetyMs: SAFETY_MS,
        },
        retentionMs: scenario.retentionMs,
        recordCap: scenario.recordCap,
        capScope: 'region',
        ...(limited ? { runEveryMs: scenario.runEveryMs, maxDurationMs: scenario.maxDurationMs } : {}),
        // Commits take no virtual time here: one at the end of each run (the ticker then sleeps for weeks).
        commitIntervalMs: 365 * 86_400_000,
        verifyWritten: false,
        clock: vt.clock,
        onEvent: (e) => {
          if (process.env.SIM_DEBUG && e.type !== 'budget-bound')
            onRun?.(
              `  ${((emu.admin.now() - start) / MINUTE).toFixed(1)} min ${JSON.stringify(e).slice(0, 200)}`,
            );
        },
      });
    };
    let runs = 0;
    let calls = 0;
    let allowedCalls = 0;
    let budgetPerMinute = scenario.warmupBudgetPerMinute;
    let planned = 0;
    const schedule = async (from: number, until: number, counted: boolean) => {
      for (let next = from; next < until; next += scenario.runEveryMs) {
        vt.advanceTo(next);
        if (counted && scenario.replanEveryMs && next - planned >= scenario.replanEveryMs) {
          planned = next;
          budgetPerMinute = scenario.budgetRatio * (await minimumNow());
          onRun?.(`re-plan: budget ${budgetPerMinute.toFixed(3)} DescribeInvocations a minute`);
        }
        const began = emu.admin.now();
        const { report } = await job(budgetPerMinute);
        runs++;
        const used = report.budgets.find((b) => b.action === 'DescribeInvocations')?.calls ?? 0;
        const minutes = (emu.admin.now() - began) / MINUTE;
        if (counted) {
          calls += used;
          allowedCalls += budgetPerMinute * minutes;
        }
        onRun?.(
          `${process.env.SIM_CURSOR ? await cursorOf(root, process.env.SIM_CURSOR) : ''}run ${runs} at ${((began - start) / 3_600_000).toFixed(1)} h: ${report.outcome}${report.stopReason ? ` (${report.stopReason})` : ''}, ${minutes.toFixed(0)} min, ${used} calls, ${report.recordsNew} new, ${report.gaps.length} gap(s)`,
        );
      }
    };
    /** The minimum `plan` computes now, from the archive as the runs left it. */
    const minimumNow = async () => {
      const plan = await planArchive({
        root,
        now: new Date(emu.admin.now()),
        retentionMs: scenario.retentionMs,
        recordCap: scenario.recordCap,
        capScope: 'region',
        runEveryMs: scenario.runEveryMs,
        maxDurationMs: scenario.maxDurationMs,
      });
      return plan.regions[0]?.minimum.DescribeInvocations ?? 0;
    };
    await schedule(start, start + scenario.warmupMs, false);
    const period = start + scenario.warmupMs;
    planned = period;
    const minimumPerMinute = await minimumNow();
    budgetPerMinute = scenario.budgetRatio * minimumPerMinute;
    onRun?.(
      `plan: minimum ${minimumPerMinute.toFixed(3)} DescribeInvocations a minute; budget ${budgetPerMinute.toFixed(3)}`,
    );
    await schedule(period, period + scenario.durationMs, true);
    const periodBudget = budgetPerMinute;
    if (SETTLE) {
      const { report } = await job(scenario.warmupBudgetPerMinute, false);
      onRun?.(`settling run: ${report.outcome}, ${report.recordsNew} new, ${report.gaps.length} gap(s)`);
    }
    const outcome = await account(emu, root);
    // As enforced at the first plan (re-plans keep the ratio; the budget at the end is in budgetPerMinute).
    const first = scenario.budgetRatio * minimumPerMinute;
    const { calls: perWindow, windowMs } = budgetWindow(first, scenario.budgetWindowMs);
    const effectiveRatio = (perWindow * MINUTE) / (windowMs + SAFETY_MS) / minimumPerMinute;
    const callsUsedShare = calls / allowedCalls;
    return {
      ...outcome,
      minimumPerMinute,
      budgetPerMinute: periodBudget,
      effectiveRatio,
      runs,
      callsUsedShare,
    };
  } finally {
    await emu.close();
    if (process.env.SIM_KEEP) onRun?.(`archive kept at ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

/** Lost records, and the gaps reported, from the ground truth and the archive. */
async function account(
  emu: RunningEmulator,
  root: string,
): Promise<
  Omit<SimOutcome, 'minimumPerMinute' | 'budgetPerMinute' | 'effectiveRatio' | 'runs' | 'callsUsedShare'>
> {
  const truth = emu.admin.groundTruth();
  const session = await QuerySession.open(root);
  try {
    const ids = await session.run('SELECT DISTINCT invoke_id FROM invocation_observations');
    const archived = new Set(ids.rows.map((r) => String(r.invoke_id)));
    const gapRows = await session.run(
      'SELECT instance_id, epoch_ms(gap_start) AS s, epoch_ms(gap_end) AS e, resolved, gap_reason, detail, observed_at FROM gaps',
    );
    const gaps = gapRows.rows.map((g) => ({
      instanceId: String(g.instance_id),
      start: g.s === null ? Number.NEGATIVE_INFINITY : Number(g.s),
      end: g.e === null ? Number.POSITIVE_INFINITY : Number(g.e),
      resolved: g.resolved === true,
      why: `${String(g.gap_reason)} at ${String(g.observed_at)}: ${String(g.detail)}`,
    }));
    if (process.env.SIM_DEBUG)
      for (const g of gaps)
        process.stderr.write(
          `gap: ${g.instanceId} ${iso(g.start)} .. ${iso(g.end)}${g.resolved ? ' resolved' : ''}\n`,
        );
    // A gap is the records created from its start to its end (the oldest record held then), both included:
    // creation times have one-second precision, and a record of the same second as either end may be lost
    // (the end's record itself is archived). Archived records are counted strictly inside an open gap.
    const gapOf = (instanceId: string, t: number, open: boolean) =>
      gaps.find(
        (g) =>
          g.instanceId === instanceId &&
          (open ? g.start < t && t < g.end && !g.resolved : g.start <= t && t <= g.end),
      );
    let lost = 0;
    let lostUnseen = 0;
    let lostReleased = 0;
    let lostInGaps = 0;
    let archivedInOpenGaps = 0;
    for (const r of truth) {
      const t = Date.parse(r.creationTime);
      if (archived.has(r.invokeId)) {
        const g = gapOf(r.instanceId, t, true);
        if (g) archivedInOpenGaps++;
        if (g && process.env.SIM_DEBUG)
          process.stderr.write(
            `archived in open gap: ${r.instanceId} ${r.creationTime} in ${iso(g.start)}..${iso(g.end)} ${g.why}\n`,
          );
        continue;
      }
      if (r.expiredAt === undefined) continue; // still held: the next run can read it
      lost++;
      if (r.expiryReason === 'released') lostReleased++;
      if (!r.listed) lostUnseen++;
      const inside = gapOf(r.instanceId, t, false) !== undefined;
      if (inside) lostInGaps++;
      if (process.env.SIM_DEBUG)
        process.stderr.write(
          `lost ${inside ? 'inside' : 'outside'} gaps: ${r.instanceId} ${r.creationTime} ${r.expiryReason} ${r.expiredAt}\n`,
        );
    }
    return {
      ...{
        records: truth.length,
        archived: archived.size,
        lost,
        lostExpired: lost - lostReleased,
        lostReleased,
      },
      ...{ lostUnseen, lostInGaps, archivedInOpenGaps },
      gaps: gaps.length,
    };
  } finally {
    session.close();
  }
}

const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/** SIM_CURSOR=<instance id>: its cursor after each run (debugging). */
async function cursorOf(root: string, instanceId: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const catalog = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8'));
  for (const [k, v] of Object.entries(catalog.cursors ?? {}))
    if (k.includes(instanceId)) {
      const c = v as Record<string, unknown>;
      const t = (x: unknown) => (typeof x === 'number' ? iso(x).slice(5, 19) : x);
      const hole = c.hole as Record<string, unknown> | undefined;
      return `  cursor ${t(c.windowStart)}..${t(c.windowEnd)} total ${c.total}${hole ? ` hole (${t(hole.above)}, ${t(hole.below)}] skip ${hole.skip} count ${hole.count}` : ''}\n`;
    }
  return '';
}
