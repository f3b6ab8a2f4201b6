import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import { crawl } from '@swas-archive/crawler';
import { type GroundTruthInvocation, startEmulator } from '@swas-archive/emulator';
import { cellText, QuerySession, type UserValue } from '@swas-archive/query';
import { DataType, tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, crawlOnce } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';

const SINCE = '2026-04-20';
const UNTIL = '2026-05-02';

let dir: string;
let plain: string;
let redacted: string;
let truth: GroundTruthInvocation[];

/** A value as the export's rows compare: timestamps as ISO text, integers as numbers. */
function normal(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value;
}

const normalRow = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normal(v)]));

/** The `invocations` (or history) rows of the period, as the session reads them, in the export's order. */
async function viewRows(root: string, view: string, order: string): Promise<Record<string, unknown>[]> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run(
      `SELECT * FROM ${view} WHERE creation_time >= $since AND creation_time < $until ORDER BY ${order}`,
      {
        since: new Date(`${SINCE}T00:00:00Z`),
        until: new Date(Date.parse(`${UNTIL}T00:00:00Z`) + 86_400_000),
      },
    );
    return rows;
  } finally {
    session.close();
  }
}

async function exportRows(root: string, out: string, format: string, ...args: string[]) {
  const r = await runCli([
    'export',
    '--data',
    root,
    '--since',
    SINCE,
    '--until',
    UNTIL,
    '--format',
    format,
    '--out',
    join(dir, out),
    ...args,
  ]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  const manifest = JSON.parse(await readFile(join(dir, out, 'manifest.json'), 'utf8'));
  const rows: Record<string, unknown>[] = [];
  for (const f of manifest.files as { path: string }[])
    rows.push(...(await readRows(join(dir, out, f.path), format)));
  return { manifest, rows };
}

async function readRows(path: string, format: string): Promise<Record<string, unknown>[]> {
  switch (format) {
    case 'arrow': {
      const table = tableFromIPC(await readFile(path));
      const stamps = table.schema.fields.filter((f) => DataType.isTimestamp(f.type)).map((f) => f.name);
      return table.toArray().map((r) => {
        const row = normalRow(r.toJSON());
        // Arrow keeps timestamps as epoch milliseconds (UTC, the field says).
        for (const name of stamps)
          if (typeof row[name] === 'number') row[name] = new Date(row[name] as number).toISOString();
        return row;
      });
    }
    case 'parquet':
      return (
        await parquetReadObjects({ file: await asyncBufferFromFile(path), compressors, utf8: true })
      ).map(normalRow);
    case 'jsonl':
      return (await readFile(path, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
    default: {
      const out: Record<string, unknown>[] = [];
      for await (const r of createReadStream(path).pipe(parse({ columns: true }))) out.push(r);
      return out;
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-export-formats-'));
  plain = join(dir, 'plain');
  redacted = join(dir, 'redacted');
  const emu = await startEmulator({
    seed: 62,
    clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 2, invocations: 600 },
  });
  try {
    await crawlOnce(emu, plain, { withResults: true });
    const archive = await openArchive({
      root: redacted,
      redaction: {
        id: 'strict-1',
        commandContent: 'hmac',
        parameters: 'drop',
        output: 'drop',
        hmacKey: 'k'.repeat(24),
      },
    });
    try {
      await crawl({
        accounts: [{ name: 'acct', api: clientOf(emu) }],
        archive,
        withResults: true,
        budgets: {
          callsPerMinute: {
            DescribeInvocations: 100_000,
            DescribeInvocationResult: 100_000,
            ListInstances: 1000,
            ListRegions: 1000,
          },
        },
      });
    } finally {
      await archive.close();
    }
    truth = emu.admin.groundTruth();
  } finally {
    await emu.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('export formats', () => {
  it('Arrow (apache-arrow) and Parquet (hyparquet) read back equal to the view rows of the period', async () => {
    const expected = await viewRows(
      plain,
      'invocations',
      'account, region_id, instance_id, creation_time, invoke_id',
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.some((r) => r.output !== null)).toBe(true);
    const arrow = await exportRows(plain, 'arrow', 'arrow', '--max-rows', '150');
    expect(arrow.manifest.files.length).toBe(Math.ceil(expected.length / 150));
    expect(arrow.rows).toEqual(expected);
    const parquet = await exportRows(plain, 'parquet', 'parquet', '--max-rows', '2048');
    expect(parquet.rows).toEqual(expected);
    const jsonl = await exportRows(plain, 'jsonl', 'jsonl');
    expect(jsonl.rows).toEqual(expected);
    // CSV holds text: each value as one cell (NULL empty), exact, line breaks and quotes included.
    const csv = await exportRows(plain, 'csv', 'csv');
    expect(csv.rows).toEqual(
      expected.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cellText(v as UserValue)])),
      ),
    );
    expect(expected.some((r) => String(r.output).includes('\n'))).toBe(true);
    // Invalid UTF-8 (a Windows console's GBK) kept as its original bytes, in every format.
    const gbk = expected.filter((r) => r.output_base64 !== null);
    expect(gbk.length).toBeGreaterThan(0);
    expect(Buffer.from(String(gbk[0]?.output_base64), 'base64').includes(Buffer.from([0xb2, 0xe2]))).toBe(
      true,
    );
  });

  it('--history exports every observation, equal to invocation_history over the period', async () => {
    const expected = await viewRows(
      plain,
      'invocation_history',
      'account, region_id, instance_id, creation_time, invoke_id, observed_at',
    );
    const parquet = await exportRows(plain, 'history', 'parquet', '--history', '--max-rows', '2048');
    expect(parquet.manifest.query).toMatchObject({ rows: 'history', view: 'invocation_history' });
    expect(parquet.rows).toEqual(expected);
    const v = await runCli(['export', 'verify', join(dir, 'history')]);
    expect(v.code).toBe(0);
  });

  it('redacted fields stay redacted in every format; the manifest names the policy', async () => {
    const secrets = new Set(truth.map((t) => t.commandContent).filter((c) => c.length > 12));
    expect(secrets.size).toBeGreaterThan(0);
    for (const format of ['csv', 'jsonl', 'arrow', 'parquet']) {
      const { manifest, rows } = await exportRows(redacted, `redacted-${format}`, format);
      expect(manifest.redaction, format).toEqual({
        rowPolicies: ['strict-1'],
        snapshotPolicies: ['strict-1'],
      });
      expect(rows.length, format).toBeGreaterThan(100);
      for (const row of rows) {
        expect(String(row.command_content), format).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
        expect(row.output ?? '', format).toBe('');
        expect(row.output_base64 ?? '', format).toBe('');
        expect(String(row.parameters ?? ''), format).not.toMatch(/:"[^"]+"/);
        expect(secrets.has(String(row.command_content))).toBe(false);
      }
      const files = manifest.files as { path: string }[];
      if (format !== 'parquet') {
        const text = (
          await Promise.all(files.map((f) => readFile(join(dir, `redacted-${format}`, f.path))))
        ).join('');
        for (const s of secrets) expect(text.includes(s), `${format} holds ${s}`).toBe(false);
      }
    }
  });
});
