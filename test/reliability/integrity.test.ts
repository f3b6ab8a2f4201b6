import { cp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEmulator } from '@swas-archive/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlOnce, withArchiveRoot } from '../helpers/harness.js';
import { runCli } from '../helpers/run-cli.js';
import { runArchiveJob, verifyCli } from './reliability-harness.js';

interface CatalogOnDisk {
  files: { path: string; table: string; bytes: number }[];
}

/** One damage done to a copy of a healthy archive, and what `verify` must say of it. */
interface Damage {
  name: string;
  damage(root: string, file: string): Promise<void>;
  said: (file: string) => RegExp;
}

const DAMAGES: Damage[] = [
  {
    name: 'a flipped byte',
    damage: async (root, file) => {
      const bytes = await readFile(join(root, file));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] as number) ^ 0x01;
      await writeFile(join(root, file), bytes);
    },
    said: (file) => new RegExp(`corrupt ${file}: SHA-256 differs`),
  },
  {
    name: 'a truncated file',
    damage: (root, file) => truncate(join(root, file), 100),
    said: (file) => new RegExp(`corrupt ${file}: size 100 bytes, catalog says \\d+`),
  },
  {
    name: 'a deleted file',
    damage: (root, file) => unlink(join(root, file)),
    said: (file) => new RegExp(`missing ${file}`),
  },
  {
    name: 'a stray file',
    damage: (root, file) => writeFile(join(root, file.replace(/[^/]+$/, 'stray.parquet')), 'PAR1'),
    said: (file) => new RegExp(`unexpected ${file.replace(/[^/]+$/, 'stray.parquet')}`),
  },
];

describe('integrity: each damage is named by verify; a damaged catalog is never replaced by an empty one', () => {
  let healthy: string;
  let emu: RunningEmulator;
  const roots: string[] = [];
  beforeAll(async () => {
    const { startEmulator } = await import('@swas-archive/emulator');
    emu = await startEmulator({
      seed: 61,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 2, invocations: 300 },
    });
    await withArchiveRoot(async (root) => {
      healthy = `${root}-healthy`;
      expect((await crawlOnce(emu, root)).outcome).toBe('complete');
      await cp(root, healthy, { recursive: true });
    });
  });
  afterAll(async () => {
    await emu.close();
    for (const r of [healthy, ...roots]) await rm(r, { recursive: true, force: true });
  });
  const copy = async (name: string) => {
    const root = `${healthy}-${name.replace(/\W+/g, '-')}`;
    roots.push(root);
    await cp(healthy, root, { recursive: true });
    return root;
  };

  for (const d of DAMAGES) {
    it(`${d.name}: verify exits 6 naming it`, async () => {
      const root = await copy(d.name);
      const catalog = JSON.parse(await readFile(join(root, 'catalog.json'), 'utf8')) as CatalogOnDisk;
      const file = catalog.files.find((f) => f.table === 'invocation_observations')?.path as string;
      await d.damage(root, file);
      const r = await verifyCli(root);
      expect(r.code).toBe(6);
      expect(r.stdout).toMatch(/^DAMAGED: /);
      expect(r.stdout).toMatch(d.said(file));
      // Only that file is named.
      expect(r.stdout.trim().split('\n')).toHaveLength(2);
    });
  }

  it('a damaged catalog.json: verify and the archive job say so, exit 6, and leave it as it is', async () => {
    const root = await copy('catalog');
    const text = await readFile(join(root, 'catalog.json'), 'utf8');
    const damaged = text.slice(0, Math.floor(text.length / 2));
    await writeFile(join(root, 'catalog.json'), damaged);
    const verify = await verifyCli(root);
    expect(verify.code).toBe(6);
    expect(verify.stderr).toMatch(/catalog\.json is damaged \(not valid JSON\).*restore it from a backup/);
    const job = await runArchiveJob(emu, root);
    expect(job.code).toBe(6);
    expect(job.stderr).toMatch(/catalog\.json is damaged/);
    expect(await readFile(join(root, 'catalog.json'), 'utf8')).toBe(damaged);
  });

  it('a deleted catalog.json beside data files: said to be unrecoverable, never started over empty', async () => {
    const root = await copy('no-catalog');
    await unlink(join(root, 'catalog.json'));
    const verify = await verifyCli(root);
    expect(verify.code).toBe(6);
    expect(verify.stderr).toMatch(
      /catalog\.json is missing, but invocation_observations, .* hold data files: it cannot be rebuilt .*restore catalog\.json from a backup/,
    );
    for (const args of [
      ['query', 'SELECT count(*) FROM invocations'],
      ['report', 'failure-rate'],
    ]) {
      const read = await runCli([...args, '--data', root]);
      expect(read.code, args.join(' ')).toBe(6);
    }
    const job = await runArchiveJob(emu, root);
    expect(job.code).toBe(6);
    await expect(readFile(join(root, 'catalog.json'))).rejects.toThrow(/ENOENT/);
  });
});
