import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  change,
  failureRate,
  QuerySession,
  type ReportResult,
  statusMix,
  stuck,
  topFailing,
} from '@swas-archive/query';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWithGap } from './helpers/gapped-archive.js';
import { CLI_BIN, runCli } from './helpers/run-cli.js';

const PERIOD = ['--since', '2026-05-20', '--until', '2026-06-03'];
const SCOPE = { since: '2026-05-20', until: '2026-06-03' };

let root: string;
let broken: string;
/** What the library answers, to compare the command line with. */
let expected: Record<string, ReportResult<object>>;

const report = (name: string, ...args: string[]) =>
  runCli(['report', name, '--data', root, ...PERIOD, ...args]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-report-cli-'));
  broken = await crawlWithGap(root, 37);
  const session = await QuerySession.open(root);
  try {
    expected = {
      'failure-rate': await failureRate(session, { ...SCOPE, group: 'instance' }),
      'status-mix': await statusMix(session, { ...SCOPE, by: 'week' }),
      'top-failing': await topFailing(session, { ...SCOPE, group: 'instance', limit: 3 }),
      change: await change(session, { ...SCOPE, group: 'region' }),
      stuck: await stuck(session, { ...SCOPE, olderThan: '1m', asOf: '2026-06-03' }),
    };
  } finally {
    session.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('swas-archive report', () => {
  it('json: one object with the period, the settings, the coverage with its gaps, and the rows', async () => {
    const r = await report('failure-rate', '--group', 'instance', '--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const { columns: _columns, ...library } = expected['failure-rate'] as ReportResult<object>;
    expect(out).toEqual(library);
    expect(Object.keys(out)).toEqual([
      'report',
      'since',
      'until',
      'by',
      'group',
      'failureStatuses',
      'coverage',
      'rows',
    ]);
    expect(out.coverage.complete).toBe(false);
    expect(out.coverage.gaps).toEqual([
      expect.objectContaining({ instance_id: broken, gap_reason: 'instance-failed', resolved: false }),
    ]);
    const flagged = out.rows.filter((row: { gap: boolean }) => row.gap);
    expect(flagged.length).toBeGreaterThan(0);
    expect(new Set(flagged.map((row: { group: string }) => row.group))).toEqual(new Set([broken]));
  });

  it('every report answers as the library does', async () => {
    const runs = await Promise.all([
      report('status-mix', '--by', 'week', '--format', 'json'),
      report('top-failing', '--group', 'instance', '--limit', '3', '--format', 'json'),
      report('change', '--group', 'region', '--format', 'json'),
      report('stuck', '--older-than', '1m', '--as-of', '2026-06-03', '--format', 'json'),
    ]);
    const names = ['status-mix', 'top-failing', 'change', 'stuck'];
    runs.forEach((r, i) => {
      const name = names[i] as string;
      expect([name, r.code, r.stderr]).toEqual([name, 0, '']);
      const { columns: _columns, ...library } = expected[name] as ReportResult<object>;
      expect(JSON.parse(r.stdout)).toEqual(library);
      expect(library.rows.length, name).toBeGreaterThan(0);
    });
  });

  it('table: rows on stdout; the coverage, naming the gap, on stderr; still exit 0', async () => {
    const r = await report('failure-rate', '--group', 'instance');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ period +│ group +│ total +│ failed +│ rate +│ not_final +│ gap +│/);
    expect(r.stdout).toContain('│ true ');
    expect(r.stderr).toMatch(
      /^failure-rate: creation times 2026-05-20T00:00:00.000Z to 2026-06-04T00:00:00.000Z/,
    );
    expect(r.stderr).toMatch(/failed: Invalid, Aborted, Failed, Error, Timeout, Cancelled, Terminated/);
    expect(r.stderr).toMatch(/1 unresolved gap: rows with gap=true may be missing invocations/);
    expect(r.stderr).toContain(`GAP acct/`);
    expect(r.stderr).toMatch(new RegExp(`${broken} \\(instance-failed\\) from 2026-0`));
  });

  it('csv, jsonl and arrow carry the rows, each with its gap flag', async () => {
    const rows = expected['failure-rate']?.rows as { gap: boolean }[];
    const csv = await report('failure-rate', '--group', 'instance', '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('period,group,total,failed,rate,not_final,gap');
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.filter((l) => l.endsWith(',true'))).toHaveLength(rows.filter((row) => row.gap).length);
    expect(csv.stderr).toBe('');
    const jsonl = await report('failure-rate', '--group', 'instance', '--format', 'jsonl');
    expect(
      jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(rows);
    const table = tableFromIPC(
      await arrow(['report', 'failure-rate', '--data', root, ...PERIOD, '--group', 'instance']),
    );
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'period:Date32<DAY>',
      'group:Utf8',
      'total:Int64',
      'failed:Int64',
      'rate:Float64',
      'not_final:Int64',
      'gap:Bool',
    ]);
    expect(table.numRows).toBe(rows.length);
    expect(table.getChild('gap')?.toArray()).toEqual(rows.map((row) => row.gap));
  });

  it('binds what the user typed: a hostile filter is only a name that matches nothing', async () => {
    const hostile = "x' OR '1'='1";
    const r = await report(
      'failure-rate',
      '--region',
      hostile,
      '--instance',
      `'); DROP VIEW invocations; --`,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { total: number; not_final: number }[] };
    expect(out.rows.length).toBeGreaterThan(0);
    expect(out.rows.every((row) => row.total === 0 && row.not_final === 0)).toBe(true);
    const top = await report('top-failing', '--command', hostile, '--format', 'json');
    expect(JSON.parse(top.stdout).rows).toEqual([]);
  });

  it('exits 2 on options it cannot use, saying what to fix', async () => {
    const cases: [string[], RegExp][] = [
      [['failure-rate', '--since', 'yesterday'], /since must be a date \(2026-11-01\)/],
      [['failure-rate', '--failure-statuses', 'Running'], /Running is not a final status/],
      [['failure-rate', '--failure-statuses', 'Failed,Oops'], /unknown status "Oops"/],
      [['failure-rate', '--group', 'nope'], /argument 'nope' is invalid/],
      [['failure-rate', '--since', '2026-06-02', '--until', '2026-06-01'], /the period is empty/],
      [['top-failing', '--limit', '0'], /--limit must be an integer >= 1/],
      [['stuck', '--older-than', 'forever'], /olderThan must be a span of time/],
      [['nope'], /unknown command 'nope'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['report', ...args, '--data', root])));
    cases.forEach(([args, message], i) => {
      const r = results[i];
      expect([args.join(' '), r?.code, r?.stdout]).toEqual([args.join(' '), 2, '']);
      expect(r?.stderr).toMatch(message);
    });
  });
});

/** The raw bytes of a command's stdout. */
async function arrow(args: string[]): Promise<Uint8Array> {
  const child = spawn(process.execPath, [CLI_BIN, ...args, '--format', 'arrow'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  });
  const parts: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => parts.push(d));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  return new Uint8Array(Buffer.concat(parts));
}
