import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DumpItem, readDump } from '@swas-archive/pipelines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const MTIME = new Date('2026-05-02T00:00:00Z');

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  InvokeId: id,
  CreationTime: '2026-05-01T10:00:00Z',
  InvocationStatus: 'Success',
  InvokeStatus: 'Finished',
  CommandType: 'RunShellScript',
  CommandName: 'echo',
  CommandContent: Buffer.from('echo hi').toString('base64'),
  Parameters: {},
  ...extra,
});
const page = (...ids: string[]) => ({
  RequestId: 'r',
  TotalCount: ids.length,
  PageNumber: 1,
  PageSize: 50,
  Invocations: ids.map((id) => item(id)),
});

/** What a dump file yields, in short: `ids@region/instance` per page, `line: reason` per page skipped. */
async function read(name: string, text: string, options = {}): Promise<string[]> {
  const path = join(dir, name);
  await writeFile(path, text);
  const out: string[] = [];
  for await (const x of readDump({ path, mtime: MTIME }, options) as AsyncGenerator<DumpItem>) {
    if (x.type === 'skipped') out.push(`${x.skipped.line}: ${x.skipped.reason}`);
    else
      out.push(
        `${x.observations.map((o) => o.invokeId).join(',')}@${x.observations[0]?.regionId}/${x.observations[0]?.instanceId} ${x.observations[0]?.observedAt.toISOString()}`,
      );
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-import-dump-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading dumps of DescribeInvocations pages', () => {
  it('pretty-printed pages one after another: a page cut short is reported and the next one still read', async () => {
    const pretty = (v: unknown) => JSON.stringify(v, null, 2);
    const cut = pretty(page('t-2')).slice(0, 60);
    const text = [pretty(page('t-1')), cut, pretty(page('t-3', 't-4'))].join('\n');
    const where = { regionId: 'cn-hangzhou', instanceId: 'i1' };
    expect(await read('pages.json', text, where)).toEqual([
      't-1@cn-hangzhou/i1 2026-05-02T00:00:00.000Z',
      `${pretty(page('t-1')).split('\n').length + 1}: cut short (no closing bracket)`,
      't-3,t-4@cn-hangzhou/i1 2026-05-02T00:00:00.000Z',
    ]);
    // Pages back to back on one line too.
    expect(
      await read('glued.json', `${JSON.stringify(page('t-5'))}${JSON.stringify(page('t-6'))}`, where),
    ).toEqual(['t-5@cn-hangzhou/i1 2026-05-02T00:00:00.000Z', 't-6@cn-hangzhou/i1 2026-05-02T00:00:00.000Z']);
  });

  it('JSON Lines: each line alone; wrappers and added fields place and date pages; bad lines named', async () => {
    const lines = [
      JSON.stringify({
        RegionId: 'r1',
        InstanceId: 'a',
        ObservedAt: '2026-05-01T12:00:00Z',
        Response: page('t-1'),
      }),
      '{"RequestId": "x", "Invocations": [',
      JSON.stringify({ ...page('t-2'), RegionId: 'r2', InstanceId: 'b' }),
      JSON.stringify({ RequestId: 'e', Code: 'Throttling.User', Message: 'Request was denied' }),
      JSON.stringify({
        ...page(),
        Invocations: [item('t-3', { CreationTime: 'yesterday' })],
        RegionId: 'r',
        InstanceId: 'c',
      }),
      JSON.stringify({ ...item('t-4'), RegionId: 'r3', InstanceId: 'd' }),
      JSON.stringify({
        RegionId: 'r4',
        InstanceId: 'e',
        Page: { ...page(), Invocations: { Invocation: [item('t-5')] } },
      }),
      JSON.stringify(page('t-6')),
    ];
    expect(await read('dump.jsonl', `${lines.join('\n')}\n`)).toEqual([
      't-1@r1/a 2026-05-01T12:00:00.000Z',
      expect.stringMatching(/^2: not JSON/),
      't-2@r2/b 2026-05-02T00:00:00.000Z',
      '4: an error answer, not a page: Throttling.User: Request was denied',
      expect.stringMatching(/^5: not a valid page: Invocations.0.CreationTime is not an ISO-8601 time/),
      't-4@r3/d 2026-05-02T00:00:00.000Z',
      't-5@r4/e 2026-05-02T00:00:00.000Z',
      '8: no region: the page does not say, and neither --region/--instance nor --path-pattern do',
    ]);
  });

  it('a path pattern places the pages of a file; the flag dates them', async () => {
    const path = 'cn-beijing--0123abcd.json';
    const got = await read(path, JSON.stringify(page('t-1')), {
      pathPattern: /(?<region>[a-z]+-[a-z]+)--(?<instance>[0-9a-f]+)\.json$/,
      observedAt: new Date('2026-05-03T00:00:00Z'),
    });
    expect(got).toEqual(['t-1@cn-beijing/0123abcd 2026-05-03T00:00:00.000Z']);
  });
});
