import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult, Figure } from './results.js';

const INVOCATIONS = 1_000_000;

/** A fleet of 1,000,000 invocations: spread over ten regions, or all in one (ten instances of 100,000). */
const FLEETS = [
  { name: '10 regions × 10 instances', regions: 10 },
  { name: '1 region × 10 instances', regions: 1 },
] as const;

/** The kernel's high-water mark of a process's resident memory, kB (0 once it is gone). */
async function hwmKb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The pids of a process's children (Linux). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    const lists = await Promise.all(
      tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')),
    );
    return lists.flatMap((l) => l.split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/**
 * Crawls the fleet through the built `swas-archive` bin with no memory flag and no NODE_OPTIONS, as a user
 * would, and follows the high-water mark (VmHWM) of the command's process and of any process it starts,
 * until it exits. Returns the summed high-water marks (an upper bound of what they held at once).
 */
async function crawlFleet(regions: number) {
  const emu = await spawnEmulator([
    ...['--seed', '9', '--regions', String(regions), '--instances-per-region', '10'],
    ...['--invocations', String(INVOCATIONS), '--max-records', String(INVOCATIONS), '--clock-speed', '0'],
  ]);
  const root = await mkdtemp(join(tmpdir(), 'bench-crawl-memory-'));
  try {
    const bin = createRequire(import.meta.url)
      .resolve('@swas-archive/cli/package.json')
      .replace(/package\.json$/, 'dist/bin.js');
    const { NODE_OPTIONS: _, ...env } = process.env;
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [bin, 'crawl', '--endpoint', emu.endpoint, '--data', join(root, 'archive'), '--json', '--quiet'].concat(
        ['--budget', 'DescribeInvocations=10000000', '--budget', 'ListInstances=100000'],
      ),
      {
        env: {
          ...env,
          ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const peaks = new Map<number, number>();
    const pid = child.pid as number;
    const follow = setInterval(async () => {
      for (const p of [pid, ...(await childrenOf(pid))])
        peaks.set(p, Math.max(peaks.get(p) ?? 0, await hwmKb(p)));
    }, 100);
    const [code] = await once(child, 'exit');
    clearInterval(follow);
    const seconds = (performance.now() - started) / 1000;
    // A partial run (an instance timed out on a loaded machine) still measured its memory: said in the note.
    if (code !== 0 && code !== 3) throw new Error(`the crawl exited ${code}: ${out.slice(0, 500)}`);
    const report = JSON.parse(out) as { recordsNew: number; outcome: string };
    const kb = [...peaks.values()];
    return {
      records: report.recordsNew,
      outcome: report.outcome,
      seconds,
      peakMb: Math.round(kb.reduce((a, b) => a + b, 0) / 1024),
      each: kb,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
    await emu.stop();
  }
}

/**
 * Peak resident memory of a first crawl of 1,000,000 invocations through the built bin, no flag given: the
 * kernel's high-water mark of the command's process plus that of the process it runs the crawl in.
 */
export async function crawlMemory(): Promise<BenchResult> {
  const figures: Figure[] = [];
  for (const fleet of FLEETS) {
    const r = await crawlFleet(fleet.regions);
    const processes = r.each.map((kb) => `${Math.round(kb / 1024)}`).join(' + ');
    figures.push({
      name: `peak RSS, first crawl of ${r.records.toLocaleString('en-US')} invocations, ${fleet.name}`,
      value: r.peakMb,
      unit: 'MB',
      goal: { value: 400, better: 'lower' },
      note: `VmHWM of each process summed: ${processes} MB; no memory flag; run ${r.outcome}; ${Math.round(r.records / r.seconds)} records/s on a shared machine`,
    });
  }
  return { bench: 'crawl-memory', figures };
}
