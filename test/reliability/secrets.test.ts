import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { type CliResult, runCli } from '../helpers/run-cli.js';

/** Budgets the emulator's defaults allow: the default 120 results a minute would take minutes here. */
const BUDGETS = ['--budget', 'DescribeInvocations=6000', '--budget', 'DescribeInvocationResult=6000'];

/** Known values: each must appear nowhere in what the runs produce. */
const SECRET = 'Kn0wnAccessKeySecret-7f3a9c1e2b5d';
const TOKEN = 'STS.Kn0wnSecurityToken-0a1b2c3d4e5f6a7b';
const HMAC_KEY = 'Kn0wnHmacRedactionKey-9e8d7c6b5a4f3e2d';

/**
 * The forms a value may take in a file: as is, hex, URL-encoded, and base64 (standard and URL-safe) at each of
 * the three alignments it can have inside a longer base64 text (the characters that depend on its neighbours
 * are cut off).
 */
function formsOf(value: string): string[] {
  const forms = new Set([value, Buffer.from(value).toString('hex'), encodeURIComponent(value)]);
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from(`${'x'.repeat(pad)}${value}`).toString('base64');
    const inner = b64.slice(pad === 0 ? 0 : 4, -4);
    forms.add(inner);
    forms.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** The text of every value in a Parquet file: its pages are compressed, so its bytes alone prove nothing. */
async function parquetValues(db: DuckDBInstance, path: string): Promise<string> {
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${path.replace(/'/g, "''")}')`);
    return JSON.stringify(reader.getRowsJson());
  } finally {
    con.closeSync();
  }
}

describe('secrets: the forms searched', () => {
  it('find a value base64-encoded at any offset, URL-encoded or in hex inside a longer text', () => {
    for (const pad of ['', 'a', 'ab', 'abc'])
      for (const encoded of [
        Buffer.from(`${pad}${SECRET}!?`).toString('base64'),
        Buffer.from(`${pad}${SECRET}!?`).toString('base64url'),
        encodeURIComponent(`${pad}&${SECRET}`),
        Buffer.from(`${pad}${SECRET}`).toString('hex'),
      ])
        expect(formsOf(SECRET).some((f) => encoded.includes(f))).toBe(true);
  });
});

describe('secrets: the access key secret, the STS token and the HMAC key appear in nothing the runs produce', () => {
  it('runs (good, wrong secret, wrong token, faults), logs, archive, metrics, exports, HTML report: no trace', async () => {
    const key = { accessKeyId: 'LTAI5tSecretsTest0001', accessKeySecret: SECRET, securityToken: TOKEN };
    const options = {
      seed: 81,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      fleet: { regions: 2, instancesPerRegion: 2, invocations: 400 },
      credentials: [key],
      faults: { profile: 'chaos' as const, trickleMs: 1500 },
    };
    await withEmulator(options, async (emu) => {
      await withArchiveRoot(async (dir) => {
        const root = join(dir, 'archive');
        const config = join(dir, 'config.json');
        await writeFile(
          config,
          JSON.stringify({
            redaction: { id: 'r1', commandContent: 'hmac', parameters: 'hmac', hmacKeyEnv: 'SWAS_TEST_HMAC' },
            metricsFile: join(dir, 'metrics.prom'),
          }),
        );
        const env = { ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN, SWAS_TEST_HMAC: HMAC_KEY };
        const job = (extra: string[], envExtra: Record<string, string> = {}) =>
          runCli(
            [
              'run',
              'archive',
              '--endpoint',
              emu.endpoint,
              '--data',
              root,
              '--config',
              config,
              ...BUDGETS,
              ...extra,
            ],
            { emu, env: { ...env, ...envExtra }, cwd: dir },
          );
        const runs: CliResult[] = [];
        // Wrong secret and wrong token first (exit 3, nothing archived): their messages are where a key leaks.
        runs.push(await job(['--log-level', 'debug'], { ALIBABA_CLOUD_ACCESS_KEY_SECRET: `${SECRET}x` }));
        runs.push(await job(['--log-level', 'debug'], { ALIBABA_CLOUD_SECURITY_TOKEN: `${TOKEN}x` }));
        expect(runs.map((r) => r.code)).toEqual([3, 3]);
        // Then real runs through faults, with results (outputs), JSON and pretty debug logs, retries.
        const good = await job([
          '--with-results',
          '--log-level',
          'debug',
          '--log-format',
          'json',
          '--timeout-ms',
          '1000',
        ]);
        expect(good.code, good.stderr).toBe(0);
        runs.push(good);
        runs.push(await job(['--with-results', '--log-level', 'debug', '--json']));
        const since = ['--since', '2026-04-01', '--until', '2026-06-01'];
        for (const args of [
          ['report', 'html', '--out', join(dir, 'report.html'), ...since],
          ['export', '--format', 'csv', '--out', join(dir, 'x-csv'), '--allow-gaps', '--history', ...since],
          ['export', '--format', 'jsonl', '--out', join(dir, 'x-jsonl'), '--allow-gaps', ...since],
          ['export', '--format', 'parquet', '--out', join(dir, 'x-parquet'), '--allow-gaps', ...since],
          ['query', '--format', 'json', 'SELECT * FROM invocation_history'],
          ['runs'],
          ['gaps'],
          ['health'],
          ['verify'],
        ]) {
          const r = await runCli([...args, '--data', root], { emu, env, cwd: dir });
          expect([0, 4, 8], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
          runs.push(r);
        }
        // The redaction really ran with the key: stored contents are HMACs.
        expect(runs.some((r) => /"command_content":"hmac-sha256:[0-9a-f]{64}"/.test(r.stdout))).toBe(true);

        const texts: { where: string; text: string }[] = runs.flatMap((r, i) => [
          { where: `run ${i} stdout`, text: r.stdout },
          { where: `run ${i} stderr`, text: r.stderr },
        ]);
        const db = await DuckDBInstance.create(':memory:');
        try {
          const files = await filesUnder(dir);
          expect(files.some((f) => f.endsWith('.parquet') && f.includes('invocation_observations'))).toBe(
            true,
          );
          for (const f of ['metrics.prom', 'report.html', 'x-csv', 'x-jsonl', 'x-parquet'])
            expect(files.some((p) => p.startsWith(join(dir, f)))).toBe(true);
          for (const path of files) {
            texts.push({ where: path, text: (await readFile(path)).toString('latin1') });
            if (path.endsWith('.parquet'))
              texts.push({ where: `${path} values`, text: await parquetValues(db, path) });
          }
        } finally {
          db.closeSync();
        }
        const found: string[] = [];
        for (const [name, value] of Object.entries({ SECRET, TOKEN, HMAC_KEY }))
          for (const form of formsOf(value))
            for (const { where, text } of texts)
              if (text.includes(form)) found.push(`${name} as ${form} in ${where}`);
        expect(found).toEqual([]);
        console.info(`secrets: ${texts.length} outputs and files searched, ${runs.length} runs`);
      });
    });
  }, 300_000);
});
