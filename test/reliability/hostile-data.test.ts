import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SeededInvocation } from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveVersusTruth, withArchiveRoot, withEmulator } from '../helpers/harness.js';
import { runCli } from '../helpers/run-cli.js';
import { runArchiveJob } from './reliability-harness.js';

/** Texts that break naive quoting, splitting, SQL and encodings. */
const NASTY = [
  `it's "quoted" \`back\` \\slash`,
  'line one\nline two\r\nline three\ttab',
  `x'); DROP TABLE invocations; -- $1 %s {{name}}`,
  '🚀 émoji 名前 \u202Eright-to-left\u202C \uFEFFbom',
  'nul \u0000 inside',
];

/** A megabyte of output that is not UTF-8: printable text, NUL bytes and bytes of another code page. */
function bigOutput(): Buffer {
  const parts: Buffer[] = [];
  for (let size = 0; size < 1_048_576; size += 64)
    parts.push(
      Buffer.from(`${'='.repeat(48)} ${String(size).padStart(10, '0')}\u0000\n`, 'latin1').subarray(0, 62),
    );
  parts.push(Buffer.from([0xb2, 0xe2, 0xca, 0xd4, 0xff, 0xfe]));
  return Buffer.concat(parts);
}

/** The hostile records: each field of each, and the instance's name. */
function hostileRecords(): SeededInvocation[] {
  const records: SeededInvocation[] = NASTY.map((text, i) => ({
    name: text,
    type: 'RunShellScript',
    content: `echo ${text}`,
    parameters: { [text]: text, [`k${i}'"`]: `v\n${text}` },
    output: Buffer.from(`${text}\n`, 'utf8'),
  }));
  records.push(
    { name: 'not utf-8', type: 'RunBatScript', content: Buffer.from([0x65, 0x63, 0xff, 0xfe, 0x00, 0x80]) },
    { name: 'big output', type: 'RunShellScript', content: 'cat /dev/urandom', output: bigOutput() },
    { name: 'not base64', type: 'RunShellScript', rawContent: 'echo plain text, not base64!' },
    {
      name: 'utf-8 megabyte',
      type: 'RunShellScript',
      content: 'yes',
      output: Buffer.from('✔ ok\n'.repeat(150_000)),
    },
  );
  return records;
}

const exports: string[] = [];
afterAll(async () => {
  for (const out of exports) await rm(out, { recursive: true, force: true });
});

describe('hostile data: quotes, newlines, SQL, emoji, NUL, bytes that are not UTF-8, megabyte outputs', () => {
  it('every field archived losslessly, the other records exact, readers and exports unharmed', async () => {
    const options = {
      seed: 101,
      clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
      fleet: { regions: 1, instancesPerRegion: 3, invocations: 300 },
    };
    await withEmulator(options, async (emu) => {
      const target = emu.admin.instances()[0]?.instanceId as string;
      const instanceName = `web'01"\n🚀 ${NASTY[2]} \u0000`;
      emu.admin.renameInstance(target, instanceName);
      const seeded = new Map<string, SeededInvocation>();
      for (const r of hostileRecords()) seeded.set(emu.admin.seedInvocation(target, r), r);
      emu.admin.advance(600_000); // every seeded command has finished: its whole output is there
      await withArchiveRoot(async (root) => {
        const run = await runArchiveJob(emu, root, {
          flags: [
            '--with-results',
            '--budget',
            'DescribeInvocations=6000',
            '--budget',
            'DescribeInvocationResult=6000',
          ],
        });
        expect(run.code, run.stderr).toBe(0);
        expect((await runCli(['verify', '--data', root])).code).toBe(0);
        // The generated records are exact, and the seeded ones are there in their listing fields too.
        expect(await archiveVersusTruth(emu, root)).toEqual([]);
        const session = await QuerySession.open(root);
        try {
          const { rows } = await session.run(
            `SELECT invoke_id, command_name, command_content, command_content_base64, parameters, output, output_base64
             FROM invocations WHERE instance_id = $id`,
            { id: target },
          );
          const byId = new Map(rows.map((r) => [String(r.invoke_id), r]));
          for (const [id, r] of seeded) {
            const a = byId.get(id);
            expect(a, r.name).toBeDefined();
            expect(a?.command_name).toBe(r.name);
            // A CommandContent that is not base64 is kept exactly as sent.
            const content = Buffer.isBuffer(r.content)
              ? r.content
              : Buffer.from(r.rawContent ?? r.content ?? '', 'utf8');
            // Text as UTF-8; where the bytes are not UTF-8, the original bytes beside it.
            expect(a?.command_content).toBe(content.toString('utf8'));
            expect(a?.command_content_base64 ?? null).toBe(
              isUtf8(content) ? null : content.toString('base64'),
            );
            expect(JSON.parse(String(a?.parameters))).toEqual(r.parameters ?? {});
            const output = r.output ?? Buffer.alloc(0);
            if (!r.output) continue; // generated output: checked by its size only
            if (isUtf8(output)) expect(a?.output).toBe(output.toString('utf8'));
            else expect(Buffer.from(String(a?.output_base64), 'base64').equals(output)).toBe(true);
          }
          const names = await session.run(
            'SELECT DISTINCT instance_name FROM instances WHERE instance_id = $id',
            {
              id: target,
            },
          );
          expect(names.rows.map((r) => r.instance_name)).toEqual([instanceName]);
        } finally {
          session.close();
        }
        // An export carries them unchanged (JSON Lines), and a query prints them (CSV quoting).
        const out = `${root}-export`;
        exports.push(out);
        const exp = await runCli([
          'export',
          '--data',
          root,
          '--format',
          'jsonl',
          '--out',
          out,
          '--allow-gaps',
          '--since',
          '2026-04-01',
          '--until',
          '2026-06-01',
          '--instance',
          target,
        ]);
        expect(exp.code, exp.stderr).toBe(0);
        const lines: Record<string, unknown>[] = [];
        for (const f of (await readdir(out)).filter((n) => n.endsWith('.jsonl')))
          for (const line of (await readFile(join(out, f), 'utf8')).split('\n').filter(Boolean))
            lines.push(JSON.parse(line));
        for (const [id, r] of seeded)
          expect(lines.find((l) => l.invoke_id === id)?.command_name).toBe(r.name);
        const csv = await runCli([
          'query',
          '--data',
          root,
          '--format',
          'csv',
          'SELECT command_name, parameters FROM invocations',
        ]);
        expect(csv.code, csv.stderr).toBe(0);
      });
    });
  }, 300_000);
});

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}
