import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DumpItem, MAX_PROBLEMS_PER_FILE, printable, readDump } from './dump-reader.js';

let dir: string;
const MTIME = new Date('2026-05-02T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-dump-reader-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (id: string) => ({
  InvokeId: id,
  CreationTime: '2026-05-01T10:00:00Z',
  InvocationStatus: 'Success',
  InvokeStatus: 'Finished',
  CommandType: 'RunShellScript',
  CommandName: 'echo',
  CommandContent: Buffer.from('echo hi').toString('base64'),
  Parameters: {},
});

async function read(name: string, content: string | Buffer): Promise<DumpItem[]> {
  const path = join(dir, name);
  await writeFile(path, content);
  const out: DumpItem[] = [];
  for await (const x of readDump({ path, mtime: MTIME }, { regionId: 'cn-hangzhou', instanceId: 'i1' }))
    out.push(x);
  return out;
}

describe('readDump', () => {
  it('a binary file: at most a few problems reported, then the file given up; no raw byte printed', async () => {
    // Bytes with many line breaks and braces, as a binary has: every line is a problem of its own.
    const bytes = randomBytes(200_000);
    for (let i = 0; i < bytes.length; i += 700) bytes[i] = 0x0a;
    const got = await read('binary.bin', bytes);
    const skipped = got.filter((x) => x.type === 'skipped');
    expect(got.length).toBe(skipped.length);
    expect(skipped.length).toBe(MAX_PROBLEMS_PER_FILE + 1);
    expect(skipped.at(-1)?.skipped.reason).toMatch(/gave up on the rest of the file/);
    for (const x of skipped) {
      expect(x.skipped.file).toBe(join(dir, 'binary.bin'));
      expect(x.skipped.reason).toMatch(/^[\x20-\x7e…]*$/);
      expect(x.skipped.reason.length).toBeLessThanOrEqual(240);
    }
  });

  it('a gzip cut short is a problem of its file, with the records before the cut read', async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        RequestId: 'r',
        TotalCount: 300,
        PageNumber: i + 1,
        PageSize: 1,
        Invocations: [item(`t-${i}`)],
      }),
    );
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const got = await read('cut.jsonl.gz', gz.subarray(0, gz.length - 40));
    const last = got.at(-1);
    expect(last?.type === 'skipped' && last.skipped).toMatchObject({
      file: join(dir, 'cut.jsonl.gz'),
      reason: 'gzip cut short: the rest of the file is missing',
    });
    expect(got.filter((x) => x.type === 'page').length).toBeGreaterThan(250);
  });

  it('printable escapes control codes, non-ASCII and replacement characters, and bounds the length', () => {
    expect(printable('not JSON: "\u0000\u001b[31m\ufffdé"')).toBe(
      'not JSON: "\\u0000\\u001b[31m\\ufffd\\u00e9"',
    );
    expect(printable('x'.repeat(1000)).length).toBe(240);
  });
});
