import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJob } from '@swas-archive/pipelines';
import { CLI_BIN } from '../helpers/run-cli.js';
import { dumpText } from './import.bench.js';
import type { BenchResult, Figure } from './results.js';

/** Runs the built CLI, reading its peak RSS (VmHWM) from /proc while it runs. */
async function measured(args: string[]): Promise<{ seconds: number; peakMiB: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
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
  if (code !== 0) throw new Error(`swas-archive ${args.join(' ')} exited ${code}`);
  return { seconds: (performance.now() - started) / 1000, peakMiB: Math.round(peakKb / 1024) };
}

/**
 * `export` of a 300,000-invocation period in each format (rows/s and peak RSS of the CLI, sorted as the
 * export sorts), and `export verify` of the result. The archive is made by importing a synthetic dump
 * (no crawl proved it complete, so the export runs with `--allow-gaps`).
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function exportFormats(): Promise<BenchResult> {
  const records = 300_000;
  const dir = await mkdtemp(join(tmpdir(), 'bench-export-'));
  try {
    const dump = join(dir, 'dump.jsonl');
    await writeFile(dump, dumpText(records));
    const root = join(dir, 'archive');
    await importJob({ root, files: [dump] });
    const figures: Figure[] = [];
    for (const format of ['csv', 'jsonl', 'arrow', 'parquet']) {
      const out = join(dir, `out-${format}`);
      const run = await measured([
        'export',
        '--data',
        root,
        '--since',
        '2026-04-01',
        '--until',
        '2026-05-02',
        '--format',
        format,
        '--out',
        out,
        // An imported archive proves no coverage (export exits 4 over it): the export is timed all the same.
        '--allow-gaps',
      ]);
      figures.push(
        {
          name: `export --format ${format}`,
          value: Math.round(records / run.seconds),
          unit: 'rows/s',
          note: `${records.toLocaleString('en-US')} invocations, ordered, one thread, --memory-limit 160MB`,
        },
        { name: `peak RSS of export --format ${format}`, value: run.peakMiB, unit: 'MiB' },
      );
      const check = await measured(['export', 'verify', out]);
      figures.push({
        name: `export verify of the ${format} export`,
        value: Math.round(records / check.seconds),
        unit: 'rows/s',
      });
    }
    return { bench: 'export', figures };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
