import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlWithGap } from './helpers/gapped-archive.js';
import { runCli, runCliInProcess } from './helpers/run-cli.js';

const PERIOD = ['--since', '2026-05-20', '--until', '2026-06-03'];

let dir: string;
let root: string;
/** The instance whose second crawl failed: an unresolved gap in the period. */
let broken: string;

// In this process (the CLI's run(argv, io)); the bin is spawned once per command and exit status.
const exportTo = (out: string, ...args: string[]) =>
  runCliInProcess(['export', '--data', root, ...PERIOD, '--out', join(dir, out), ...args]);
const verify = (out: string, ...args: string[]) =>
  runCliInProcess(['export', 'verify', join(dir, out), ...args]);
const exportBin = (out: string, ...args: string[]) =>
  runCli(['export', '--data', root, ...PERIOD, '--out', join(dir, out), ...args]);
const verifyBin = (out: string, ...args: string[]) => runCli(['export', 'verify', join(dir, out), ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-export-cli-'));
  root = join(dir, 'archive');
  broken = await crawlWithGap(root, 41);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('swas-archive export', () => {
  it('a period with an unresolved gap: written, the gap named on stderr and in the manifest, exit 4', async () => {
    const r = await exportBin('gappy', '--format', 'jsonl');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/the period has 1 unresolved gap/);
    expect(r.stderr).toContain(`GAP acct/`);
    expect(r.stderr).toMatch(new RegExp(`${broken} \\(instance-failed\\)`));
    const manifest = JSON.parse(await readFile(join(dir, 'gappy', 'manifest.json'), 'utf8'));
    expect(manifest.coverage.complete).toBe(false);
    expect(manifest.coverage.unresolvedGaps).toEqual([
      expect.objectContaining({ instance_id: broken, gap_reason: 'instance-failed', resolved: false }),
    ]);
    const instance = manifest.coverage.instances.find(
      (i: { instance_id: string }) => i.instance_id === broken,
    );
    expect(instance.gaps[0]).toMatchObject({ gap_reason: 'instance-failed', resolved: false });
    expect(manifest.coverage.instances.length).toBe(4);
    // With --allow-gaps the same export exits 0, and still says so.
    const allowed = await exportTo('allowed', '--format', 'jsonl', '--allow-gaps');
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/1 unresolved gap/);
  });

  it('export then verify: clean; the manifest says what was read and where from', async () => {
    const r = await exportTo('clean', '--format', 'csv', '--allow-gaps', '--max-rows', '100');
    expect([r.code, r.stdout]).toEqual([
      0,
      expect.stringMatching(/ invocations created 2026-05-20T00:00:00.000Z/),
    ]);
    const manifest = JSON.parse(await readFile(join(dir, 'clean', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'swas-archive-export/1',
      tool: { name: 'swas-archive', version: '0.1.0' },
      archive: { root, catalogVersion: expect.any(Number) },
      query: { rows: 'latest', view: 'invocations', filters: { regions: [], instances: [], commands: [] } },
      period: { since: '2026-05-20T00:00:00.000Z', until: '2026-06-04T00:00:00.000Z' },
      fileFormat: 'csv',
      limits: { maxRowsPerFile: 100 },
      redaction: { rowPolicies: ['none'], snapshotPolicies: ['none'] },
    });
    expect(manifest.snapshots.length).toBeGreaterThanOrEqual(2);
    expect(manifest.archive.id).toBe(manifest.snapshots[0].id);
    expect(manifest.files.length).toBeGreaterThan(2);
    expect(manifest.files.every((f: { rows: number }) => f.rows <= 100)).toBe(true);
    expect(manifest.totalRows).toBe(manifest.files.reduce((s: number, f: { rows: number }) => s + f.rows, 0));
    expect((await readdir(join(dir, 'clean'))).sort()).toEqual(
      ['manifest.json', ...manifest.files.map((f: { path: string }) => f.path)].sort(),
    );
    // Nothing left beside it: the staging folder became the export.
    expect((await readdir(dir)).filter((n) => n.includes('.partial-'))).toEqual([]);
    const v = await verify('clean');
    expect([v.code, v.stdout]).toEqual([
      0,
      expect.stringMatching(/^ok: \d+ files, \d+ rows, manifest intact/),
    ]);
  });

  it('verify names a flipped byte, a deleted file, an added file and an edited manifest; exit 6', async () => {
    const r = await exportTo('tampered', '--format', 'jsonl', '--allow-gaps', '--max-rows', '100');
    expect(r.code).toBe(0);
    const folder = join(dir, 'tampered');
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
    const [first, second] = manifest.files as { path: string }[];
    if (!first || !second) throw new Error('expected two files at least');
    const bytes = await readFile(join(folder, first.path));
    bytes[100] = (bytes[100] as number) ^ 0x01;
    await writeFile(join(folder, first.path), bytes);
    await rm(join(folder, second.path));
    await writeFile(join(folder, 'notes.txt'), 'added later\n');
    const v = await verifyBin('tampered');
    expect(v.code).toBe(6);
    expect(v.stdout).toContain(`altered ${first.path}: its SHA-256 is`);
    expect(v.stdout).toContain(`missing ${second.path}`);
    expect(v.stdout).toContain('extra notes.txt: not in the manifest');
    expect(v.stdout).not.toContain('edited manifest.json');
    // An edit of the manifest alone (a row count, to hide a removed row) is caught by its own hash.
    const edited = await exportTo('edited', '--format', 'csv', '--allow-gaps');
    expect(edited.code).toBe(0);
    const path = join(dir, 'edited', 'manifest.json');
    const m = JSON.parse(await readFile(path, 'utf8'));
    m.coverage.complete = true;
    m.coverage.unresolvedGaps = [];
    await writeFile(path, JSON.stringify(m, null, 2));
    const e = await verify('edited', '--json');
    expect(e.code).toBe(6);
    const report = JSON.parse(e.stdout);
    expect(report).toMatchObject({ ok: false, manifest: 'edited', missing: [], altered: [], extra: [] });
    expect(report.problems).toEqual([
      expect.stringMatching(/^edited manifest.json: its content does not match/),
    ]);
  });

  it('signs with HMAC or Ed25519; verify --key checks it, and a wrong key or an edit fails it', async () => {
    const keys = join(dir, 'keys');
    await mkdir(keys);
    await writeFile(join(keys, 'hmac.key'), randomBytes(32));
    await writeFile(join(keys, 'other.key'), randomBytes(32));
    await writeFile(join(keys, 'short.key'), randomBytes(16));
    const pair = generateKeyPairSync('ed25519');
    await writeFile(join(keys, 'ed.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(keys, 'ed.pub.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const short = await exportTo(
      'short',
      '--format',
      'jsonl',
      '--allow-gaps',
      '--sign-key',
      join(keys, 'short.key'),
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/16 bytes; use at least 32/);

    expect(
      (await exportTo('hmac', '--format', 'jsonl', '--allow-gaps', '--sign-key', join(keys, 'hmac.key')))
        .code,
    ).toBe(0);
    const ok = await verify('hmac', '--key', join(keys, 'hmac.key'));
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/signature valid/)]);
    const wrong = await verify('hmac', '--key', join(keys, 'other.key'));
    expect([wrong.code, wrong.stdout]).toEqual([
      6,
      expect.stringMatching(/signature invalid: the HMAC does not match/),
    ]);
    // Without a key the signature is not checked, but the manifest's own hash still is.
    expect((await verify('hmac')).stdout).toMatch(/signature not-checked/);

    // A public key cannot sign: refused before anything is written (exit 2, no folder, no staging).
    const pub = await exportTo(
      'edpub',
      '--format',
      'csv',
      '--allow-gaps',
      '--sign-key',
      join(keys, 'ed.pub.pem'),
    );
    expect([pub.code, pub.stderr]).toEqual([
      2,
      expect.stringMatching(/Ed25519 public key, which cannot sign/),
    ]);
    expect((await readdir(dir)).filter((n) => n.startsWith('edpub'))).toEqual([]);
    expect(
      (await exportTo('ed', '--format', 'csv', '--allow-gaps', '--sign-key', join(keys, 'ed.pem'))).code,
    ).toBe(0);
    const good = await verify('ed', '--key', join(keys, 'ed.pub.pem'));
    expect([good.code, good.stdout]).toEqual([0, expect.stringMatching(/signature valid/)]);
    // Edit the manifest and fix its hash: only the signature can tell.
    const path = join(dir, 'ed', 'manifest.json');
    const m = JSON.parse(await readFile(path, 'utf8'));
    m.period.since = '2026-05-21T00:00:00.000Z';
    const { manifestHash } = await import('@swas-archive/query');
    m.manifestSha256 = manifestHash(m);
    await writeFile(path, JSON.stringify(m));
    const forged = await verify('ed', '--key', join(keys, 'ed.pub.pem'));
    expect([forged.code, forged.stdout]).toEqual([
      6,
      expect.stringMatching(/signature invalid: the Ed25519 signature does not verify/),
    ]);
    // A key given for an unsigned export is a failure: the auditor expected a signature.
    expect((await verify('clean', '--key', join(keys, 'hmac.key'))).code).toBe(6);
  });

  it('killed halfway (SIGKILL): no --out, only its marked staging folder, which the next export removes', async () => {
    const out = join(dir, 'killed');
    let staged: string[] = [];
    // A file a row, each fsynced: slow enough to be caught halfway.
    const r = await runCli(
      ['export', '--data', root, ...PERIOD, '--out', out, '--format', 'jsonl', '--max-rows', '1'],
      {
        onSpawn: (child) => {
          const poll = setInterval(async () => {
            const partial = (await readdir(dir)).find(
              (n) => n.startsWith('killed.partial-') && !n.endsWith('.swas-archive-export-partial'),
            );
            if (!partial) return;
            const files = await readdir(join(dir, partial)).catch(() => []);
            if (files.filter((f) => f.startsWith('part-')).length < 20) return;
            clearInterval(poll);
            child.kill('SIGKILL');
            staged = [partial, ...files];
          }, 2);
          child.on('exit', () => clearInterval(poll));
        },
      },
    );
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const [partial] = staged;
    expect(partial).toMatch(/^killed\.partial-[0-9a-f]{12}$/);
    expect(await readdir(dir)).toContain(`${partial}.swas-archive-export-partial`);
    expect(await readdir(join(dir, partial as string))).not.toContain('manifest.json');
    const again = await exportBin('killed', '--format', 'jsonl', '--allow-gaps');
    expect(again.code).toBe(0);
    expect((await readdir(dir)).filter((n) => n.startsWith('killed.partial-'))).toEqual([]);
    expect((await verifyBin('killed')).code).toBe(0);
  });

  it('refuses an --out that is not empty (exit 2), and removes its own abandoned staging folders', async () => {
    const full = join(dir, 'full');
    await mkdir(full);
    await writeFile(join(full, 'keep.txt'), 'mine\n');
    const r = await exportBin('full', '--format', 'csv');
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/exists and is not empty/)]);
    expect(await readdir(full)).toEqual(['keep.txt']);
    // An interrupted export (its process gone) left a marked staging folder; a foreign one has no mark.
    const abandoned = join(dir, 'again.partial-0123456789ab');
    await mkdir(abandoned);
    await writeFile(
      `${abandoned}.swas-archive-export-partial`,
      JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname(), startedAt: '' }),
    );
    await appendFile(join(abandoned, 'part-00001.csv'), 'half');
    const foreign = join(dir, 'again.partial-foreign');
    await mkdir(foreign);
    expect((await exportTo('again', '--format', 'csv', '--allow-gaps')).code).toBe(0);
    const names = await readdir(dir);
    expect(names).not.toContain('again.partial-0123456789ab');
    expect(names).not.toContain('again.partial-0123456789ab.swas-archive-export-partial');
    expect(names).toContain('again.partial-foreign');
    // Inside the archive: refused.
    const inside = await runCliInProcess([
      'export',
      '--data',
      root,
      ...PERIOD,
      '--out',
      join(root, 'x'),
      '--format',
      'csv',
    ]);
    expect([inside.code, inside.stderr]).toEqual([2, expect.stringMatching(/inside the archive/)]);
  });
});
