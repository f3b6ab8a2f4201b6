import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DumpValue, dumpValues } from './dump-values.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-dump-values-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const page = (n: number) => ({
  RequestId: `r-${n}`,
  TotalCount: 6,
  Invocations: [
    { InvokeId: `t-${n}`, CommandContent: 'ZWNobyBoaQ==', Parameters: { name: 'a "quoted" value' } },
  ],
});

/** What a file yields, in short: `line: t-N` per value, `line: reason` per error. */
async function values(name: string, content: string | Buffer): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, content);
  const out: string[] = [];
  for await (const v of dumpValues(path) as AsyncGenerator<DumpValue>) {
    if ('error' in v) out.push(`${v.line}: ${v.error}`);
    else out.push(`${v.line}: ${(v.value as { RequestId: string }).RequestId}`);
  }
  return out;
}

/** The line each of `texts` starts on when joined by line breaks. */
const starts = (texts: string[]) => {
  let line = 1;
  return texts.map((t) => {
    const at = line;
    line += t.split('\n').length;
    return at;
  });
};

describe('dumpValues', () => {
  it('pretty-printed pages: one cut inside a string is reported and every page after it still read', async () => {
    const pretty = [1, 2, 3, 4, 5, 6].map((n) => JSON.stringify(page(n), null, 2));
    const second = pretty[1] as string;
    // Cut in the middle of the command's text: the line ends before the string's closing quote.
    const cut = second.slice(0, second.indexOf('ZWNob') + 3);
    const texts = [pretty[0] as string, cut, ...pretty.slice(2)];
    const at = starts(texts);
    expect(await values('pretty.json', texts.join('\n'))).toEqual([
      `${at[0]}: r-1`,
      `${at[1]}: cut short inside a string (a line ends before its closing quote)`,
      `${at[2]}: r-3`,
      `${at[3]}: r-4`,
      `${at[4]}: r-5`,
      `${at[5]}: r-6`,
    ]);
  });

  it('JSON Lines whose first line is cut inside a string: the other lines are read', async () => {
    const lines = [1, 2, 3].map((n) => JSON.stringify(page(n)));
    const first = lines[0] as string;
    lines[0] = first.slice(0, first.indexOf('ZWNob') + 2);
    expect(await values('cut-first.jsonl', `${lines.join('\n')}\n`)).toEqual([
      '1: cut short inside a string (a line ends before its closing quote)',
      '2: r-2',
      '3: r-3',
    ]);
  });

  it('a page cut outside a string is still found by the next page at column 0', async () => {
    const pretty = [1, 2].map((n) => JSON.stringify(page(n), null, 2));
    const first = pretty[0] as string;
    const cut = first.slice(0, first.indexOf('"Invocations"'));
    expect(await values('cut-bracket.json', `${cut}\n${pretty[1]}`)).toEqual([
      '1: cut short (no closing bracket)',
      `${cut.split('\n').length + 1}: r-2`,
    ]);
  });

  it('a gzip cut short: the values before the cut, then the cut, and no exception', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify(page(i + 1)));
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const got = await values('cut.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const last = got.at(-1) as string;
    expect(last).toMatch(/^\d+: gzip cut short: the rest of the file is missing$/);
    const read = got.slice(0, -1).filter((v) => /^\d+: r-\d+$/.test(v));
    expect(read.length).toBeGreaterThan(0);
    expect(read.length).toBeLessThan(400);
    // Every value read is the one written on its line; at most the last line read is cut.
    for (const v of read) {
      const [line, id] = v.split(': r-');
      expect(line).toBe(id);
    }
    expect(got.length - 1 - read.length).toBeLessThanOrEqual(1);
  });

  it('a whole gzip is read to its end', async () => {
    const lines = [1, 2].map((n) => JSON.stringify(page(n)));
    expect(await values('whole.gz', gzipSync(lines.join('\n')))).toEqual(['1: r-1', '2: r-2']);
  });
});
