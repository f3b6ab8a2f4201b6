import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJob } from '@swas-archive/pipelines';
import { type ExportManifest, htmlReport, QuerySession } from '@swas-archive/query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './helpers/run-cli.js';

/** An archive that holds only an import: what can be said of a period it covers, and of one it does not. */
let dir: string;
let root: string;

const item = (n: number) => ({
  InvokeId: `t-${n}`,
  CreationTime: `2026-05-0${1 + (n % 3)}T10:00:00Z`,
  InvocationStatus: 'Success',
  InvokeStatus: 'Finished',
  CommandType: 'RunShellScript',
  CommandName: 'deploy',
  CommandContent: Buffer.from('echo hi').toString('base64'),
  Parameters: {},
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-export-coverage-'));
  root = join(dir, 'archive');
  const dump = join(dir, 'dump.json');
  const page = {
    RequestId: 'r',
    TotalCount: 6,
    PageNumber: 1,
    PageSize: 50,
    Invocations: [0, 1, 2, 3, 4, 5].map(item),
  };
  await writeFile(
    dump,
    JSON.stringify({
      RegionId: 'cn-hangzhou',
      InstanceId: 'i1',
      ObservedAt: '2026-05-04T00:00:00Z',
      Response: page,
    }),
  );
  const result = await importJob({ root, files: [dump] });
  expect(result.records).toBe(6);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manifestOf = async (out: string) =>
  JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as ExportManifest;

describe('the coverage of an export and of the HTML report', () => {
  it('an imported-only archive: the imported window listed, the period not proven complete, exit 4', async () => {
    const out = join(dir, 'imported');
    const r = await runCliInProcess([
      'export',
      '--data',
      root,
      '--since',
      '2026-05-01',
      '--until',
      '2026-05-05',
      '--format',
      'jsonl',
      '--out',
      out,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not proven complete .*1 part no crawl proved complete/);
    expect(r.stderr).toMatch(
      /NOT COVERED default\/cn-hangzhou\/i1 from 2026-05-01T00:00:00.000Z to 2026-05-06T00:00:00.000Z \(imported, completeness unknown/,
    );
    const m = await manifestOf(out);
    expect(m.totalRows).toBe(6);
    expect(m.coverage.complete).toBe(false);
    expect(m.coverage.instances).toEqual([
      {
        account: 'default',
        region_id: 'cn-hangzhou',
        instance_id: 'i1',
        windows: [],
        unproven: [
          {
            start: '2026-05-01T10:00:00.000Z',
            end: '2026-05-03T10:00:00.000Z',
            detail: expect.stringMatching(/^imported, completeness unknown: 6 record\(s\)/),
          },
        ],
        uncovered: [{ start: '2026-05-01T00:00:00.000Z', end: '2026-05-06T00:00:00.000Z' }],
        gaps: [],
      },
    ]);
  });

  it('a period the archive never covered is not complete either; --allow-gaps exits 0 and still says so', async () => {
    const out = join(dir, 'never');
    const r = await runCliInProcess([
      'export',
      '--data',
      root,
      '--since',
      '2020-01-01',
      '--until',
      '2020-02-01',
      '--format',
      'csv',
      '--out',
      out,
      '--allow-gaps',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /NOT COVERED default\/cn-hangzhou\/i1 from 2020-01-01T00:00:00.000Z to 2020-02-02T00:00:00.000Z$/m,
    );
    const m = await manifestOf(out);
    expect([m.totalRows, m.coverage.complete]).toEqual([0, false]);
  });

  it('run compliance-export follows the same rule: an imported-only period exits 4 without any gap, 0 with --allow-gaps', async () => {
    const job = (out: string, ...more: string[]) =>
      runCliInProcess([
        'run',
        'compliance-export',
        '--data',
        root,
        '--since',
        '2026-05-01',
        '--until',
        '2026-05-05',
        '--format',
        'jsonl',
        '--out',
        join(dir, out),
        '--json',
        ...more,
      ]);
    const refused = await job('job-imported');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout)).toMatchObject({ rows: 6, complete: false, unresolvedGaps: [] });
    expect(refused.stderr).toMatch(/not proven complete .*1 part no crawl proved complete/);
    expect(refused.stderr).toMatch(/NOT COVERED default\/cn-hangzhou\/i1 .*\(imported, completeness unknown/);
    const allowed = await job('job-allowed', '--allow-gaps');
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/NOT COVERED default\/cn-hangzhou\/i1/);
  });

  it('the HTML report says "imported, completeness unknown", never "every instance covered"', async () => {
    const session = await QuerySession.open(root);
    try {
      const report = await htmlReport(session, { since: '2026-05-01', until: '2026-05-05' });
      expect(report.html).toContain('data-complete="false"');
      expect(report.html).not.toContain('Every instance covered');
      expect(report.html).toContain(
        'default/cn-hangzhou/i1: imported, completeness unknown from 2026-05-01T00:00:00.000Z to 2026-05-06T00:00:00.000Z',
      );
    } finally {
      session.close();
    }
  });
});

describe('report html --out', () => {
  it('a write that fails leaves no temporary file beside its --out', async () => {
    // --out names a folder that holds a file: the rename onto it fails.
    const out = join(dir, 'taken.html');
    await mkdir(out);
    await writeFile(join(out, 'x'), 'x');
    const r = await runCliInProcess([
      'report',
      'html',
      '--data',
      root,
      '--since',
      '2026-05-01',
      '--until',
      '2026-05-05',
      '--out',
      out,
    ]);
    expect(r.code).not.toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('taken.html.tmp-'))).toEqual([]);
  });
});
