import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { archivedRow, archiveVersusTruth, truthRow } from '../helpers/harness.js';
import { type CliResult, type RunCliOptions, runCli } from '../helpers/run-cli.js';

/** `pnpm soak` sets it: the long runs (100 kill points, 500,000 records) instead of the normal ones. */
export const SOAK = process.env.SWAS_SOAK === '1';

/** A seeded pseudo-random generator in [0, 1) (mulberry32): the same seed, the same kill instants. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How one run of the archive job is started, and stopped. */
export interface ArchiveRunOptions {
  /** More flags after the endpoint and the folder. */
  flags?: string[];
  env?: Record<string, string | undefined>;
  /** Written to `<root>.config.json` and given with `--config` (the file's keys, see the pipelines README). */
  config?: Record<string, unknown>;
  /** Sends `signal` this long after the start. */
  stopAfterMs?: number;
  /** @default 'SIGKILL' */
  signal?: NodeJS.Signals;
  onSpawn?: RunCliOptions['onSpawn'];
}

/** `swas-archive run archive` (the scheduled job) through the built bin against the emulator, as cron runs it. */
export async function runArchiveJob(
  emu: RunningEmulator,
  root: string,
  options: ArchiveRunOptions = {},
): Promise<CliResult> {
  const args = ['run', 'archive', '--endpoint', emu.endpoint, '--data', root, '--log-format', 'json'];
  if (options.config) {
    const file = `${root}.config.json`;
    await writeFile(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  let timer: NodeJS.Timeout | undefined;
  const result = await runCli([...args, ...(options.flags ?? [])], {
    emu,
    env: options.env,
    onSpawn: (child) => {
      if (options.stopAfterMs !== undefined)
        timer = setTimeout(() => child.kill(options.signal ?? 'SIGKILL'), options.stopAfterMs);
      options.onSpawn?.(child);
    },
  });
  clearTimeout(timer);
  return result;
}

/** Runs `swas-archive verify` on the archive. */
export const verifyCli = (root: string, ...flags: string[]) => runCli(['verify', '--data', root, ...flags]);

/**
 * What a reader sees of an archive whose writer may just have been killed, against a fleet whose clock
 * stands still: every archived invocation exactly as the emulator holds it, one row each, and each with
 * exactly one observation (a commit repeated after a crash must add nothing). Returns what did not hold.
 */
export async function readerSeesWholeSnapshots(emu: RunningEmulator, root: string): Promise<string[]> {
  try {
    await access(join(root, 'catalog.json'));
  } catch {
    return []; // nothing committed yet: a reader finds no archive, which is the old state
  }
  const truth = new Map(emu.admin.groundTruth().map((t) => [t.invokeId, t]));
  const session = await QuerySession.open(root);
  try {
    const problems: string[] = [];
    const { rows } = await session.run('SELECT * FROM invocations');
    const seen = new Set<string>();
    for (const r of rows) {
      const id = String(r.invoke_id);
      if (seen.has(id)) problems.push(`two rows for ${id}`);
      seen.add(id);
      const t = truth.get(id);
      if (!t) problems.push(`archived but never held: ${id}`);
      else if (JSON.stringify(archivedRow(r)) !== JSON.stringify(truthRow(t)))
        problems.push(`archived state differs for ${id}`);
    }
    const repeated = await session.run(
      'SELECT invoke_id, count(*) AS n FROM invocation_history GROUP BY invoke_id HAVING count(*) > 1 LIMIT 5',
    );
    for (const r of repeated.rows) problems.push(`${String(r.n)} observations of unchanged ${r.invoke_id}`);
    return problems;
  } finally {
    session.close();
  }
}

/** Counts of a proof: what was compared, and what was lost or duplicated (both must be 0). */
export interface Proof {
  compared: number;
  lost: number;
  duplicated: number;
  problems: string[];
}

/**
 * The end of every scenario: `verify` clean (exit 0), and the archive equal to the emulator's ground truth
 * row by row (see `archiveVersusTruth`), with one `invocations` row per invocation.
 */
export async function proveComplete(emu: RunningEmulator, root: string, since?: number): Promise<Proof> {
  const verify = await verifyCli(root);
  const problems = verify.code === 0 ? [] : [`verify exit ${verify.code}: ${verify.stdout}${verify.stderr}`];
  const versus = await archiveVersusTruth(emu, root, since);
  problems.push(...versus);
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run(
      'SELECT count(*) AS n, count(DISTINCT (account, region_id, instance_id, invoke_id)) AS d FROM invocations',
    );
    const n = Number(rows[0]?.n);
    const duplicated = n - Number(rows[0]?.d);
    if (duplicated !== 0) problems.push(`${duplicated} duplicated invocations`);
    return {
      compared: n,
      lost: versus.filter((p) => /not archived|outside any gap/.test(p)).length,
      duplicated,
      problems,
    };
  } finally {
    session.close();
  }
}
