import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { DEFAULT_FAILURE_STATUSES, NON_FINAL_STATUSES } from '@swas-archive/query';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

/** The scheduled report jobs through the built bin, over one archive of an emulated fleet (tests run in order). */
describe('the failure-trends and compliance-export jobs', () => {
  let emu: RunningEmulator;
  let dir: string;
  let root: string;

  beforeAll(async () => {
    emu = await startEmulator({
      seed: 73,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      fleet: { regions: 2, instancesPerRegion: 2, invocations: 600 },
    });
    dir = await mkdtemp(join(tmpdir(), 'swas-jobs-'));
    root = join(dir, 'archive');
    const r = await runCli(['run', 'archive', '--endpoint', emu.endpoint, '--data', root, '--quiet'], {
      emu,
    });
    expect(r.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await emu?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The ground truth's invocations created in [since, until). */
  const truthIn = (since: string, until: string) =>
    emu.admin.groundTruth().filter((t) => t.creationTime >= since && t.creationTime < until);

  it('failure-trends writes the page and a CSV of the last N days, named by date; the CSV agrees with the ground truth', async () => {
    const out = join(dir, 'reports');
    const r = await runCli([
      'run',
      'failure-trends',
      '--data',
      root,
      '--out',
      out,
      '--days',
      '20',
      '--until',
      '2026-04-30',
      '--json',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const result = JSON.parse(r.stdout) as {
      html: string;
      csv: string;
      day: string;
      since: string;
      until: string;
      rows: number;
    };
    expect(result).toMatchObject({
      html: join(out, 'failure-trends-2026-04-30.html'),
      csv: join(out, 'failure-trends-2026-04-30.csv'),
      day: '2026-04-30',
      since: '2026-04-11T00:00:00.000Z',
      until: '2026-05-01T00:00:00.000Z',
    });
    expect((await readdir(out)).sort()).toEqual([
      'failure-trends-2026-04-30.csv',
      'failure-trends-2026-04-30.html',
    ]);
    const html = await readFile(result.html, 'utf8');
    expect(html).toContain('creation times 2026-04-11T00:00:00.000Z to 2026-05-01T00:00:00.000Z');
    const rows = parse(await readFile(result.csv, 'utf8'), { columns: true }) as Record<string, string>[];
    // 20 days × 2 regions, each with its counts.
    expect(rows).toHaveLength(40);
    expect(result.rows).toBe(40);
    const truth = truthIn('2026-04-11T00:00:00', '2026-05-01T00:00:00');
    expect(truth.length).toBeGreaterThan(100);
    for (const region of new Set(truth.map((t) => t.regionId))) {
      const mine = truth.filter((t) => t.regionId === region);
      const csv = rows.filter((row) => row.group === region);
      const sum = (k: string) => csv.reduce((n, row) => n + Number(row[k]), 0);
      const notFinal = mine.filter((t) => NON_FINAL_STATUSES.includes(t.invocationStatus)).length;
      expect([region, sum('total'), sum('failed'), sum('not_final')]).toEqual([
        region,
        mine.length - notFinal,
        mine.filter((t) => DEFAULT_FAILURE_STATUSES.includes(t.invocationStatus)).length,
        notFinal,
      ]);
    }
    // The same day again replaces that day's files; a file of that name the job did not make is left alone.
    const again = await runCli([
      'run',
      'failure-trends',
      '--data',
      root,
      '--out',
      out,
      '--days',
      '20',
      '--until',
      '2026-04-30',
    ]);
    expect([again.code, again.stdout]).toEqual([0, `${result.html}\n${result.csv}\n`]);
    await writeFile(result.csv, 'my own notes\n');
    const refused = await runCli([
      'run',
      'failure-trends',
      '--data',
      root,
      '--out',
      out,
      '--until',
      '2026-04-30',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${result.csv} exists and was not made by this job`);
    expect(await readFile(result.csv, 'utf8')).toBe('my own notes\n');
  }, 120_000);

  it('compliance-export exports the period with a manifest that export verify accepts, in a folder named by its days, never overwritten', async () => {
    const out = join(dir, 'exports');
    const args = [
      'run',
      'compliance-export',
      '--data',
      root,
      '--out',
      out,
      '--since',
      '2026-04-20',
      '--until',
      '2026-04-25',
      '--format',
      'csv',
    ];
    const r = await runCli([...args, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const folder = join(out, 'compliance-2026-04-20--2026-04-25');
    const result = JSON.parse(r.stdout) as {
      folder: string;
      rows: number;
      period: { since: string; until: string };
    };
    expect(result.folder).toBe(folder);
    expect(result.period).toEqual({ since: '2026-04-20T00:00:00.000Z', until: '2026-04-26T00:00:00.000Z' });
    const truth = truthIn('2026-04-20T00:00:00', '2026-04-26T00:00:00');
    expect(result.rows).toBe(truth.length);
    const rows = parse(await readFile(join(folder, 'part-00001.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((row) => row.invoke_id).sort()).toEqual(truth.map((t) => t.invokeId).sort());
    const verified = await runCli(['export', 'verify', folder]);
    expect([verified.code, verified.stdout]).toEqual([
      0,
      `ok: 1 files, ${truth.length} rows, manifest intact, signature unsigned (${folder})\n`,
    ]);
    const manifest = await readFile(join(folder, 'manifest.json'), 'utf8');
    const again = await runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists and is not empty/);
    expect(await readFile(join(folder, 'manifest.json'), 'utf8')).toBe(manifest);
  }, 120_000);

  it('both take their settings from the config file (flags win); a bad key there is named (exit 2)', async () => {
    const here = await mkdtemp(join(dir, 'config-'));
    await writeFile(join(here, 'hmac.key'), randomBytes(32));
    const config = {
      archive: root,
      failureTrends: { out: 'trends', days: 7, group: 'command' },
      complianceExport: { out: 'compliance', days: 2, format: 'jsonl', signKeyFile: 'hmac.key' },
    };
    await writeFile(join(here, 'swas-archive.config.json'), JSON.stringify(config));
    const trends = await runCli(['run', 'failure-trends', '--until', '2026-04-30', '--json'], { cwd: here });
    expect(trends.code).toBe(0);
    const csv = (JSON.parse(trends.stdout) as { csv: string }).csv;
    expect(csv).toBe(join(here, 'trends', 'failure-trends-2026-04-30.csv'));
    const groups = new Set(
      (parse(await readFile(csv, 'utf8'), { columns: true }) as { group: string }[]).map((row) => row.group),
    );
    expect(groups).toEqual(
      new Set(truthIn('2026-04-24T00:00:00', '2026-05-01T00:00:00').map((t) => t.commandName)),
    );
    const exported = await runCli(['run', 'compliance-export', '--until', '2026-04-27'], { cwd: here });
    expect(exported.code).toBe(0);
    const folder = join(here, 'compliance', 'compliance-2026-04-26--2026-04-27');
    expect(exported.stdout).toMatch(
      new RegExp(`^${folder}: \\d+ invocations .* in 1 jsonl file; .*, signed \\(hmac-sha256\\)\\n$`, 'i'),
    );
    const verified = await runCli(['export', 'verify', folder, '--key', join(here, 'hmac.key'), '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      signature: 'valid',
      rows: truthIn('2026-04-26T00:00:00', '2026-04-28T00:00:00').length,
    });
    // health takes its thresholds from the file too: here, a last run may be at most 0 s old.
    await writeFile(
      join(here, 'swas-archive.config.json'),
      JSON.stringify({ ...config, health: { maxAge: '0s' } }),
    );
    const health = await runCli(['health'], { cwd: here });
    expect(health.code).toBe(8);
    expect(health.stdout).toMatch(/^unhealthy: the last complete run ended/);
    await writeFile(
      join(here, 'swas-archive.config.json'),
      JSON.stringify({ ...config, failureTrends: { dayz: 3 } }),
    );
    const bad = await runCli(['run', 'failure-trends'], { cwd: here });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown key "dayz" in failureTrends/);
  }, 120_000);

  it('over an unresolved gap compliance-export exits 4 unless --allow-gaps and failure-trends exits 0, both naming it; no archive exits 2', async () => {
    const released = emu.admin.instances()[0]?.instanceId ?? '';
    emu.admin.release(released);
    expect(
      (await runCli(['run', 'archive', '--endpoint', emu.endpoint, '--data', root, '--quiet'], { emu })).code,
    ).toBe(4);
    const period = ['--data', root, '--since', '2026-04-01', '--until', '2026-04-30'];
    const gapped = await runCli(['run', 'compliance-export', ...period, '--out', join(dir, 'gapped')]);
    expect(gapped.code).toBe(4);
    expect(gapped.stderr).toContain(`GAP default/`);
    expect(gapped.stderr).toContain(`${released} (released)`);
    const allowed = await runCli([
      'run',
      'compliance-export',
      ...period,
      '--out',
      join(dir, 'allowed'),
      '--allow-gaps',
    ]);
    expect(allowed.code).toBe(0);
    const manifest = JSON.parse(
      await readFile(join(dir, 'allowed', 'compliance-2026-04-01--2026-04-30', 'manifest.json'), 'utf8'),
    ) as {
      coverage: { complete: boolean; unresolvedGaps: { instance_id: string }[] };
    };
    expect(manifest.coverage.complete).toBe(false);
    expect(manifest.coverage.unresolvedGaps.map((g) => g.instance_id)).toEqual([released]);
    const trends = await runCli([
      'run',
      'failure-trends',
      '--data',
      root,
      '--out',
      join(dir, 'gap-reports'),
      '--until',
      '2026-04-30',
    ]);
    expect(trends.code).toBe(0);
    expect(trends.stderr).toContain(`${released} (released)`);
    for (const job of ['failure-trends', 'compliance-export']) {
      const none = await runCli(['run', job, '--data', join(dir, 'nothing'), '--out', join(dir, 'none')]);
      expect([job, none.code]).toEqual([job, 2]);
      expect(none.stderr).toContain(`no archive at ${join(dir, 'nothing')}`);
    }
  }, 120_000);
});
