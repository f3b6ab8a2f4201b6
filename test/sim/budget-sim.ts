import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@swas-archive/crawler';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { archiveJob, planArchive } from '@swas-archive/pipelines';
import { QuerySession } from '@swas-archive/query';
import { SimTraffic, type TrafficShape } from './sim-traffic.js';

const MINUTE = 60_000;
const REGION = 'cn-hangzhou';

/** One simulated month (or less) of scheduled archival at a budget that is a share of `plan`'s minimum. */
export interface SimScenario {
  seed: number;
  /** Simulated time after the warm-up. */
  durationMs: number;
  /** Virtual ms per real ms while a run crawls (between runs time jumps). */
  speed: number;
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
  /** The budget window, ms: budgets below a few calls a minute are counted over a longer one. */
  budgetWindowMs: number;
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
  /** The budget as enforced (whole calls per window) ÷ the minimum. */
  effectiveRatio: number;
  runs: number;
  records: number;
  archived: number;
  /** Records that vanished (age, cap or release) without being archived. */
  lost: number;
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

/** The crawler's clock is the emulator's: sleeps wait until virtual time has passed. */
function emulatorClock(emu: RunningEmulator, speed: number): Clock {
  return {
    now: () => emu.admin.now(),
    async sleep(ms, signal) {
      const until = emu.admin.now() + ms;
      for (let left = ms; left > 0; left = until - emu.admin.now()) {
        signal?.throwIfAborted();
        await sleep(Math.max(1, left / speed), undefined, { signal });
      }
    },
  };
}

/** Runs `scenario` against an in-process emulator, the archive job on its schedule; resolves with the outcome. */
export async function runBudgetSim(
  scenario: SimScenario,
  onRun?: (line: string) => void,
): Promise<SimOutcome> {
  const { traffic: shape, speed } = scenario;
  const emu = await startEmulator({
    seed: scenario.seed,
    fleet: { regions: [REGION], instancesPerRegion: shape.busy.count + shape.quiet.count, invocations: 0 },
    retention: { maxAgeMs: scenario.retentionMs, maxRecords: scenario.recordCap, capScope: 'region' },
    clock: { start: '2026-03-01T00:00:00Z', speed: 0 },
  });
  const root = await mkdtemp(join(tmpdir(), 'swas-sim-'));
  const traffic = new SimTraffic(emu, shape, scenario.seed);
  const pumping = setInterval(() => traffic.pump(), 2);
  try {
    const clock = emulatorClock(emu, speed);
    const start = emu.admin.now();
    const perWindow = (perMinute: number) =>
      Math.max(1, Math.round((perMinute * scenario.budgetWindowMs) / MINUTE));
    const job = (budgetPerMinute: number, limited = true) =>
      archiveJob({
        root,
        accounts: [{ name: 'sim', credentials: emu.credentials[0] }],
        endpoint: emu.endpoint,
        regions: [REGION],
        budgets: {
          callsPerMinute: { DescribeInvocations: perWindow(budgetPerMinute) },
          windowMs: scenario.budgetWindowMs,
        },
        retentionMs: scenario.retentionMs,
        recordCap: scenario.recordCap,
        capScope: 'region',
        ...(limited ? { runEveryMs: scenario.runEveryMs, maxDurationMs: scenario.maxDurationMs } : {}),
        // Commits cost real time, which runs fast here: one at the end of each run.
        commitIntervalMs: 365 * 86_400_000,
        verifyWritten: false,
        clock,
        // Opening the archive, listing and the last commit cost real time, which runs fast here: the clock
        // runs only while instances are crawled (from the schedule to the end of crawling).
        onEvent: (e) => {
          if (e.type === 'schedule') emu.admin.setClockSpeed(speed);
          if (e.type === 'crawl-done') emu.admin.setClockSpeed(0);
          if (process.env.SIM_DEBUG && e.type !== 'budget-bound')
            onRun?.(
              `  ${((emu.admin.now() - start) / 60000).toFixed(1)} min ${JSON.stringify(e).slice(0, 200)}`,
            );
        },
      });
    let runs = 0;
    let calls = 0;
    let allowedCalls = 0;
    const schedule = async (until: number, budgetPerMinute: number, counted: boolean) => {
      for (let next = emu.admin.now(); next < until; next += scenario.runEveryMs) {
        fastForward(emu, traffic, next);
        const began = emu.admin.now();
        const { report } = await job(budgetPerMinute);
        emu.admin.setClockSpeed(0);
        runs++;
        const used = report.budgets.find((b) => b.action === 'DescribeInvocations')?.calls ?? 0;
        const minutes = (emu.admin.now() - began) / MINUTE;
        if (counted) {
          calls += used;
          allowedCalls += budgetPerMinute * minutes;
        }
        onRun?.(
          `run ${runs} at ${((began - start) / 3_600_000).toFixed(1)} h: ${report.outcome}${report.stopReason ? ` (${report.stopReason})` : ''}, ${minutes.toFixed(0)} min, ${used} calls, ${report.recordsNew} new, ${report.gaps.length} gap(s)`,
        );
      }
    };
    await schedule(start + scenario.warmupMs, scenario.warmupBudgetPerMinute, false);
    const plan = await planArchive({
      root,
      now: new Date(emu.admin.now()),
      retentionMs: scenario.retentionMs,
      recordCap: scenario.recordCap,
      capScope: 'region',
      runEveryMs: scenario.runEveryMs,
      maxDurationMs: scenario.maxDurationMs,
    });
    const minimumPerMinute = plan.regions[0]?.minimum.DescribeInvocations ?? 0;
    const budgetPerMinute = scenario.budgetRatio * minimumPerMinute;
    onRun?.(
      `plan: minimum ${minimumPerMinute.toFixed(3)} DescribeInvocations a minute; budget ${budgetPerMinute.toFixed(3)}`,
    );
    await schedule(start + scenario.warmupMs + scenario.durationMs, budgetPerMinute, true);
    if (SETTLE) {
      const { report } = await job(scenario.warmupBudgetPerMinute, false);
      emu.admin.setClockSpeed(0);
      onRun?.(`settling run: ${report.outcome}, ${report.recordsNew} new, ${report.gaps.length} gap(s)`);
    }
    clearInterval(pumping);
    const outcome = await account(emu, root);
    const effectiveRatio = (perWindow(budgetPerMinute) * MINUTE) / scenario.budgetWindowMs / minimumPerMinute;
    const callsUsedShare = calls / allowedCalls;
    return { ...outcome, minimumPerMinute, budgetPerMinute, effectiveRatio, runs, callsUsedShare };
  } finally {
    clearInterval(pumping);
    await emu.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** Moves the frozen clock to `at` a virtual minute at a time, with the traffic of each minute. */
function fastForward(emu: RunningEmulator, traffic: SimTraffic, at: number): void {
  for (let now = emu.admin.now(); now < at; now = emu.admin.now()) {
    emu.admin.advance(Math.min(MINUTE, at - now));
    traffic.pump();
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
      'SELECT instance_id, epoch_ms(gap_start) AS s, epoch_ms(gap_end) AS e, resolved FROM gaps',
    );
    const gaps = gapRows.rows.map((g) => ({
      instanceId: String(g.instance_id),
      start: g.s === null ? Number.NEGATIVE_INFINITY : Number(g.s),
      end: g.e === null ? Number.POSITIVE_INFINITY : Number(g.e),
      resolved: g.resolved === true,
    }));
    // A gap is the records created after its start and before its end (the oldest record held then).
    const inGap = (instanceId: string, t: number, open: boolean) =>
      gaps.some((g) => g.instanceId === instanceId && g.start < t && t < g.end && (!open || !g.resolved));
    let lost = 0;
    let lostUnseen = 0;
    let lostInGaps = 0;
    let archivedInOpenGaps = 0;
    for (const r of truth) {
      const t = Date.parse(r.creationTime);
      if (archived.has(r.invokeId)) {
        if (inGap(r.instanceId, t, true)) archivedInOpenGaps++;
        continue;
      }
      if (r.expiredAt === undefined) continue; // still held: the next run can read it
      lost++;
      if (!r.listed) lostUnseen++;
      if (inGap(r.instanceId, t, false)) lostInGaps++;
      else if (process.env.SIM_DEBUG)
        process.stderr.write(
          `lost outside gaps: ${r.instanceId} ${r.creationTime} ${r.expiryReason} ${r.expiredAt}\n`,
        );
    }
    return {
      ...{ records: truth.length, archived: archived.size, lost, lostUnseen, lostInGaps, archivedInOpenGaps },
      gaps: gaps.length,
    };
  } finally {
    session.close();
  }
}
