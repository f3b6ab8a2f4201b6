import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { type CoverageRecord, type InvocationObservation, openArchive } from '@swas-archive/archive';
import {
  apiJsonLine,
  type BenchInstance,
  BenchRandom,
  benchInstances,
  benchInvocation,
} from './read-side-fleet.js';

/** What {@link buildReadSideArchive} made (also kept in `<dir>/build.json`, to reuse the archive). */
export interface ReadSideBuild {
  /** The archive's folder. */
  root: string;
  /** The final state of every invocation as raw API JSON, one object a line. */
  jsonl: string;
  /** First and last creation time of the data: `[start, end)`. */
  start: string;
  end: string;
  invocations: number;
  observations: number;
  commits: number;
  /** Wall time of the build (archive and JSON lines), seconds. */
  seconds: number;
  /** Of it, the archive's commits, seconds. */
  commitSeconds: number;
}

const DAY_MS = 86_400_000;
/** The version of the data this file generates: a kept build of another version is not reused. */
const GENERATOR = 1;
/** The data spans a year: 2025-11-01 to 2026-11-01 (UTC). */
const START = Date.UTC(2025, 10, 1);
const SPAN_MS = 365 * DAY_MS;
/** Observations handed to `addObservations` at once. */
const BATCH = 25_000;

/**
 * Builds (or, when `<dir>/build.json` says it is there, reuses) the read-side bench's archive under
 * `<dir>/archive` and its raw API JSON under `<dir>/invocations.jsonl`: `commits × perCommit` invocations
 * created over a year, written through the archive's writer as a crawl every 3.65 days would: commit k
 * holds the invocations created in the k-th hundredth of the year, about one in ten of them first seen
 * still `Running` (their final state comes with commit k + 1), one in five finals with a result. Each
 * commit also adds every instance's coverage window and its run's row, as a crawl does.
 */
export async function buildReadSideArchive(
  dir: string,
  commits: number,
  perCommit: number,
): Promise<ReadSideBuild> {
  const manifest = join(dir, 'build.json');
  const root = join(dir, 'archive');
  const jsonl = join(dir, 'invocations.jsonl');
  try {
    const built = JSON.parse(await readFile(manifest, 'utf8')) as ReadSideBuild & { generator?: number };
    if (
      built.generator === GENERATOR &&
      built.commits === commits &&
      built.invocations === commits * perCommit
    )
      return { ...built, root, jsonl };
    throw new Error(`${dir} holds a different build (${built.invocations} invocations): remove it first`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A build that did not finish is this bench's own (it left its marker): start it again.
  const marker = join(dir, 'building');
  if (existsSync(marker)) await rm(root, { recursive: true, force: true });
  else if (existsSync(root)) throw new Error(`${root} exists but is no build of this bench: remove it first`);
  await mkdir(dir, { recursive: true });
  await writeFile(marker, '');
  const started = performance.now();
  let commitMs = 0;
  const random = new BenchRandom(10);
  const instances = benchInstances(random);
  const out = createWriteStream(jsonl);
  const archive = await openArchive({ root });
  let observations = 0;
  try {
    // Invocations seen running by the previous commit: their final state comes with this one.
    let pending: InvocationObservation[] = [];
    const windowMs = SPAN_MS / commits;
    for (let k = 0; k < commits; k++) {
      const from = START + k * windowMs;
      const observedAt = new Date(from + windowMs + 3_600_000);
      const nextObservedAt = new Date(from + 2 * windowMs + 3_600_000);
      const batch: InvocationObservation[] = [...pending];
      const next: InvocationObservation[] = [];
      const lines: string[] = [];
      for (const p of pending) lines.push(apiJsonLine(p));
      for (let i = 0; i < perCommit; i++) {
        // Whole seconds, increasing through the window.
        const creationTime = new Date(
          Math.floor((from + ((i + random.next()) / perCommit) * windowMs) / 1000) * 1000,
        );
        const instance = random.pick(instances) as BenchInstance;
        // The last commit has no later one to finish what it saw running.
        const early = k < commits - 1 && random.int(10) === 0;
        const inv = benchInvocation(
          random,
          instance,
          `t-${k.toString(36)}-${i.toString(36)}-${instance.instanceId.slice(0, 4)}`,
          creationTime,
          early ? nextObservedAt : observedAt,
          early ? observedAt : undefined,
        );
        if (inv.early) {
          batch.push(inv.early);
          next.push(inv.final);
        } else {
          batch.push(inv.final);
          lines.push(apiJsonLine(inv.final));
        }
      }
      await write(out, `${lines.join('\n')}\n`);
      const t = performance.now();
      const snapshot = archive.beginSnapshot(`bench-run-${k}`);
      for (let i = 0; i < batch.length; i += BATCH) await snapshot.addObservations(batch.slice(i, i + BATCH));
      await snapshot.addCoverage(instances.map((inst) => coverage(inst, k, observedAt, windowMs)));
      await snapshot.setRun({
        startedAt: new Date(observedAt.getTime() - 600_000),
        finishedAt: observedAt,
        outcome: 'complete',
        accounts: ['bench-account'],
        callsByAction: { DescribeInvocations: Math.ceil(batch.length / 50) },
        throttles: 0,
        retries: 0,
        recordsNew: perCommit,
        recordsChanged: pending.length,
        instancesComplete: instances.length,
        instancesIncomplete: 0,
        gapsFound: 0,
      });
      await snapshot.commit();
      commitMs += performance.now() - t;
      observations += batch.length;
      pending = next;
      if (k % 10 === 9)
        process.stderr.write(
          `  built ${k + 1} of ${commits} commits (${Math.round((performance.now() - started) / 1000)} s)\n`,
        );
    }
  } finally {
    await archive.close();
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  const built: ReadSideBuild = {
    root,
    jsonl,
    start: new Date(START).toISOString(),
    end: new Date(START + SPAN_MS).toISOString(),
    invocations: commits * perCommit,
    observations,
    commits,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    commitSeconds: Math.round(commitMs / 100) / 10,
  };
  await writeFile(manifest, JSON.stringify({ ...built, generator: GENERATOR }, null, 2));
  await rm(marker);
  return built;
}

/** What the crawl of commit `k` proved of an instance: the window up to the commit's, joined to the last. */
function coverage(inst: BenchInstance, k: number, observedAt: Date, windowMs: number): CoverageRecord {
  return {
    account: 'bench-account',
    regionId: inst.regionId,
    instanceId: inst.instanceId,
    observedAt,
    complete: true,
    windowStart: new Date(START + Math.max(0, k - 1) * windowMs),
    windowEnd: new Date(START + (k + 1) * windowMs),
    joinedPrevious: k > 0,
  };
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}
