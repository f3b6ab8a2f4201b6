import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlOnce } from './helpers/harness.js';
import { runCli } from './helpers/run-cli.js';
import { signedCall } from './helpers/signed-call.js';

/** The columns a crawl and an import must agree on: everything the listing says, and where it was. */
const COLUMNS = `account, region_id, instance_id, invoke_id, creation_time, invocation_status, invoke_status,
  command_type, command_name, command_content, command_content_base64, parameters, exit_code, output`;

let dir: string;
let crawled: string;
let imported: string;
let dumpFiles: string[];
/** Invoke ids of the page made malformed, and where it is. */
let lostIds: Set<string>;
let lostAt: string;

/** Every page of DescribeInvocations for each instance, as the raw JSON text the API answered. */
async function pagesOf(
  emu: RunningEmulator,
): Promise<{ regionId: string; instanceId: string; pages: string[] }[]> {
  const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
  const agent = new Agent({ keepAlive: true });
  const out = [];
  try {
    for (const i of emu.admin.instances()) {
      const pages: string[] = [];
      for (let n = 1; ; n++) {
        const text = await signedCall({ endpoint: emu.endpoint, ...key }, agent, {
          Action: 'DescribeInvocations',
          RegionId: i.regionId,
          InstanceId: i.instanceId,
          PageNumber: String(n),
          PageSize: '50',
        });
        const page = JSON.parse(text);
        if (page.Invocations.length === 0) break;
        pages.push(text);
      }
      out.push({ regionId: i.regionId, instanceId: i.instanceId, pages });
    }
  } finally {
    agent.destroy();
  }
  return out;
}

const rowsOf = async (root: string) => {
  const session = await QuerySession.open(root);
  try {
    return (await session.run(`SELECT ${COLUMNS} FROM invocations ORDER BY invoke_id`)).rows;
  } finally {
    session.close();
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-import-cli-'));
  crawled = join(dir, 'crawled');
  imported = join(dir, 'imported');
  const emu = await startEmulator({
    seed: 61,
    clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 2, invocations: 500 },
  });
  try {
    const all = await pagesOf(emu);
    await crawlOnce(emu, crawled);
    const [a, b, c, d] = all;
    if (!a || !b || !c || !d || c.pages.length < 2) throw new Error('expected four instances with pages');
    dumpFiles = [];
    // A: a file per page, placed by its path (region/instance/page-N.json).
    const folder = join(dir, 'dumps', a.regionId, a.instanceId);
    await mkdir(folder, { recursive: true });
    for (const [n, text] of a.pages.entries()) {
      const file = join(folder, `page-${n + 1}.json`);
      await writeFile(file, text);
      dumpFiles.push(file);
    }
    // B: pages one after another, pretty-printed in wrappers that say where, gzip with a plain name.
    const wrapped = b.pages.map((t) =>
      JSON.stringify(
        {
          RegionId: b.regionId,
          InstanceId: b.instanceId,
          ObservedAt: '2026-05-01T00:00:00Z',
          Response: JSON.parse(t),
        },
        null,
        2,
      ),
    );
    await writeFile(join(dir, 'b.json'), gzipSync(wrapped.join('\n')));
    dumpFiles.push(join(dir, 'b.json'));
    // C: JSON Lines of pages with RegionId/InstanceId added, the second one cut short.
    const lines = c.pages.map((t) =>
      JSON.stringify({ ...JSON.parse(t), RegionId: c.regionId, InstanceId: c.instanceId }),
    );
    lostIds = new Set(
      JSON.parse(c.pages[1] as string).Invocations.map((i: { InvokeId: string }) => i.InvokeId),
    );
    lines[1] = (lines[1] as string).slice(0, 300);
    await writeFile(join(dir, 'c.jsonl.gz'), gzipSync(`${lines.join('\n')}\n`));
    dumpFiles.push(join(dir, 'c.jsonl.gz'));
    lostAt = `${join(dir, 'c.jsonl.gz')}:2`;
    // D: JSON Lines of items, each saying where.
    const items = d.pages.flatMap((t) =>
      JSON.parse(t).Invocations.map((i: object) =>
        JSON.stringify({ RegionId: d.regionId, InstanceId: d.instanceId, ...i }),
      ),
    );
    await writeFile(join(dir, 'd.jsonl'), `${items.join('\n')}\n`);
    dumpFiles.push(join(dir, 'd.jsonl'));
  } finally {
    await emu.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('swas-archive import', () => {
  it('equals a crawl of the same fleet, but for the malformed page, which is reported (exit 4)', async () => {
    const r = await runCli([
      'import',
      '--data',
      imported,
      '--account',
      'acct',
      '--path-pattern',
      '/(?<region>[^/]+)/(?<instance>[^/]+)/[^/]+$',
      ...dumpFiles,
    ]);
    expect(r.code).toBe(4);
    const stderr = r.stderr.trimEnd().split('\n');
    expect(stderr.filter((l) => !l.startsWith('warning: '))).toEqual([
      expect.stringMatching(new RegExp(`^skipped ${lostAt}: not JSON`)),
    ]);
    // Every file but b.json (whose wrappers say ObservedAt) is dated by its mtime, and says so.
    const warned = stderr.filter((l) => l.startsWith('warning: ')).map((l) => l.split(': ')[1]);
    expect(warned.sort()).toEqual(dumpFiles.filter((f) => !f.endsWith('b.json')).sort());
    expect(r.stdout).toMatch(
      /^imported \d+ records from \d+ pages in \d+ files .*; 1 skipped \(see stderr\)/,
    );
    const expected = (await rowsOf(crawled)).filter((row) => !lostIds.has(String(row.invoke_id)));
    const got = await rowsOf(imported);
    expect(lostIds.size).toBe(50);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
  });

  it('records the imported ranges in coverage as "imported, completeness unknown", proving nothing', async () => {
    const session = await QuerySession.open(imported);
    try {
      const { rows } = await session.run(
        `SELECT instance_id, complete, window_start, window_end, gap_reason, detail FROM coverage ORDER BY instance_id`,
      );
      expect(rows).toHaveLength(4);
      for (const row of rows) {
        expect(row).toMatchObject({ complete: false, gap_reason: null });
        expect(String(row.detail)).toMatch(/^imported, completeness unknown: \d+ record\(s\) created /);
        expect(Date.parse(String(row.window_start))).toBeLessThanOrEqual(Date.parse(String(row.window_end)));
      }
      const { rows: runs } = await session.run(`SELECT run_id, outcome FROM runs`);
      expect(runs).toEqual([{ run_id: expect.stringMatching(/^import-/), outcome: 'partial' }]);
      // The wrapper's ObservedAt is kept; the others have their file's time.
      const { rows: seen } = await session.run(
        `SELECT DISTINCT observed_at FROM invocation_history WHERE observed_at = TIMESTAMPTZ '2026-05-01 00:00:00+00'`,
      );
      expect(seen).toHaveLength(1);
    } finally {
      session.close();
    }
  });

  it('again: nothing new (deduped against the archive); a missing file stops it before anything (exit 2)', async () => {
    const again = await runCli([
      'import',
      '--data',
      imported,
      '--account',
      'acct',
      '--json',
      ...dumpFiles.slice(-2),
    ]);
    expect(again.code).toBe(4);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ newInvocations: 0, changedInvocations: 0, written: 0 });
    expect(summary.alreadyArchived).toBe(summary.records);
    const missing = await runCli(['import', '--data', join(dir, 'none'), join(dir, 'nope.json')]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/cannot read .*nope.json \(ENOENT\)/),
    ]);
    const unplaced = await runCli(['import', '--data', join(dir, 'unplaced'), dumpFiles[0] as string]);
    expect([unplaced.code, unplaced.stderr]).toEqual([
      4,
      expect.stringMatching(/no region: the page does not say/),
    ]);
  });
});
