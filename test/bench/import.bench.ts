import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJob, readDump } from '@swas-archive/pipelines';
import type { BenchResult } from './results.js';

const STATUSES = ['Success', 'Success', 'Success', 'Failed', 'Running', 'Timeout'];

/**
 * A cron dump as JSON Lines: one DescribeInvocations page (50 items) a line, each in a wrapper that says
 * its region and instance, over 200 instances and 14 days. Item fields as the API sends them (base64 script,
 * a parameter map).
 */
export function dumpText(records: number): string {
  const lines: string[] = [];
  const base = Date.parse('2026-05-01T00:00:00Z');
  for (let p = 0; p * 50 < records; p++) {
    const instance = (p % 200).toString(16).padStart(32, '0');
    const region = ['cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'ap-southeast-1'][p % 4];
    const items = [];
    for (let i = 0; i < 50 && p * 50 + i < records; i++) {
      const n = p * 50 + i;
      const script = `#!/bin/bash\nset -e\nsystemctl restart app-${n % 37}\necho done ${n % 11}\n`;
      items.push({
        InvokeId: `t-${n.toString(36).padStart(12, '0')}`,
        CreationTime: `${new Date(base - (n % 1_209_600) * 1000).toISOString().slice(0, 19)}Z`,
        InvocationStatus: STATUSES[n % STATUSES.length],
        InvokeStatus: n % 6 === 4 ? 'Running' : 'Finished',
        CommandType: 'RunShellScript',
        CommandName: `deploy-${n % 23}`,
        CommandContent: Buffer.from(script).toString('base64'),
        Parameters: n % 3 === 0 ? { port: String(8000 + (n % 50)) } : {},
      });
    }
    const page = {
      RequestId: `req-${p}`,
      TotalCount: 5000,
      PageNumber: 1 + (p % 100),
      PageSize: 50,
      Invocations: items,
    };
    lines.push(JSON.stringify({ RegionId: region, InstanceId: instance, Response: page }));
  }
  return `${lines.join('\n')}\n`;
}

/** Imported records per second from JSON Lines: reading and decoding alone, and into a committed snapshot.
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function importDumps(): Promise<BenchResult> {
  const records = 500_000;
  const dir = await mkdtemp(join(tmpdir(), 'bench-import-'));
  try {
    const path = join(dir, 'dump.jsonl');
    await writeFile(path, dumpText(records));
    const bytes = (await stat(path)).size;
    const file = { path, mtime: new Date('2026-05-01T00:00:00Z') };
    // Reading alone: lines, JSON, the client's decoder, observations (what the import does before DuckDB).
    let seen = 0;
    const readStarted = performance.now();
    for await (const item of readDump(file)) if (item.type === 'page') seen += item.observations.length;
    const readMs = performance.now() - readStarted;
    if (seen !== records) throw new Error(`read ${seen} records, expected ${records}`);
    // The whole import: the same, staged into the archive's snapshot, and committed once.
    const started = performance.now();
    const result = await importJob({ root: join(dir, 'archive'), files: [path] });
    const totalMs = performance.now() - started;
    if (result.commit?.rows.invocation_observations !== records)
      throw new Error('the import did not write every record');
    const rate = (ms: number) => Math.round(records / (ms / 1000));
    return {
      bench: 'import',
      figures: [
        {
          name: 'read and decode JSON Lines (no archive)',
          value: rate(readMs),
          unit: 'records/s',
          goal: { value: 200_000, better: 'higher' },
          note: `${records.toLocaleString('en-US')} records, a 50-item page a line, ${Math.round(bytes / 2 ** 20)} MiB`,
        },
        {
          name: 'import into a committed snapshot',
          value: rate(totalMs),
          unit: 'records/s',
          goal: { value: 200_000, better: 'higher' },
          note: 'the same dump through importJob: reading, staging into DuckDB, one commit (dedupe, sorted zstd Parquet, latest state)',
        },
        { name: 'reading and staging', value: result.timingsMs.read, unit: 'ms' },
        { name: 'commit', value: result.timingsMs.commit, unit: 'ms' },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
