import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@swas-archive/emulator';
import { crawlOnce } from '../helpers/harness.js';
import { CLI_BIN } from '../helpers/run-cli.js';
import type { BenchResult } from './results.js';
import { buildSyntheticArchive } from './synthetic-archive.js';

/**
 * Peak memory of `swas-archive query "SELECT * FROM invocation_history" --format csv > /dev/null` over an
 * archive of about ten million observations: a real crawl (6,000 invocations with their results, about
 * 1.4 KB of output each) copied 1,700 times by {@link buildSyntheticArchive}. Peak RSS is the child's
 * VmHWM, read from /proc while it runs. `BENCH_QUERY_COPIES` changes the size.
 */
export async function queryExport(): Promise<BenchResult> {
  const copies = Number(process.env.BENCH_QUERY_COPIES ?? 1700);
  const seed = await mkdtemp(join(tmpdir(), 'bench-query-seed-'));
  const root = await mkdtemp(join(tmpdir(), 'bench-query-'));
  try {
    const emu = await startEmulator({
      seed: 5,
      clock: { speed: 0 },
      fleet: { regions: 3, instancesPerRegion: 4, invocations: 6000 },
    });
    try {
      await crawlOnce(emu, seed, { withResults: true });
    } finally {
      await emu.close();
    }
    const built = await buildSyntheticArchive({ seed, root, copies });
    const sql = 'SELECT * FROM invocation_history';
    const started = performance.now();
    const child = spawn(process.execPath, [CLI_BIN, 'query', '--data', root, '--format', 'csv', sql], {
      stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        peakKb = Math.max(peakKb, Number(m?.[1] ?? 0));
      } catch {
        // The child has just ended: its last reading stands.
      }
    }, 100);
    const [code] = (await once(child, 'exit')) as [number];
    clearInterval(poll);
    if (code !== 0) throw new Error(`query exited ${code}`);
    const seconds = (performance.now() - started) / 1000;
    const note = `${built.rows.toLocaleString('en-US')} observations, ${Math.round(built.bytes / 2 ** 20)} MiB of Parquet`;
    return {
      bench: 'query-export',
      figures: [
        {
          name: 'peak RSS of query --format csv > /dev/null',
          value: Math.round(peakKb / 1024),
          unit: 'MiB',
          goal: { value: 300, better: 'lower' },
          note,
        },
        { name: 'export time', value: Math.round(seconds), unit: 's', note },
        { name: 'export rate', value: Math.round(built.rows / seconds), unit: 'rows/s' },
      ],
    };
  } finally {
    await rm(seed, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
}
