import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openArchive } from '@swas-archive/archive';
import { QuerySession } from '@swas-archive/query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJob } from './import-job.js';

let dir: string;
const CREATED = '2026-05-01T10:00:00Z';
const DAY = 86_400_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'swas-import-job-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (id: string, status: 'Running' | 'Success') => ({
  InvokeId: id,
  CreationTime: CREATED,
  InvocationStatus: status,
  InvokeStatus: status === 'Success' ? 'Finished' : 'Running',
  CommandType: 'RunShellScript',
  CommandName: 'deploy',
  CommandContent: Buffer.from('echo hi').toString('base64'),
  Parameters: {},
});
const page = (...items: ReturnType<typeof item>[]) =>
  JSON.stringify({
    RequestId: 'r',
    TotalCount: items.length,
    PageNumber: 1,
    PageSize: 50,
    Invocations: items,
  });

async function dump(name: string, content: string | Buffer, mtime?: Date): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  if (mtime) await utimes(path, mtime, mtime);
  return path;
}

async function rows(root: string, sql: string): Promise<Record<string, unknown>[]> {
  const session = await QuerySession.open(root);
  try {
    return (await session.run(sql)).rows;
  } finally {
    session.close();
  }
}

describe('importJob', () => {
  it('an old Running page in a file touched later never turns an archived Success back to Running', async () => {
    const root = join(dir, 'final');
    // What a crawl archived: t-1 Running, then Success an hour later.
    const archive = await openArchive({ root });
    const snapshot = archive.beginSnapshot('run-crawl');
    const base = {
      account: 'default',
      regionId: 'cn-hangzhou',
      instanceId: 'i1',
      invokeId: 't-1',
      creationTime: new Date(CREATED),
      invokeStatus: 'Running',
      commandType: 'RunShellScript',
      commandName: 'deploy',
      commandContent: 'echo hi',
      parameters: {},
    };
    await snapshot.addObservations([
      { ...base, invocationStatus: 'Running', observedAt: new Date('2026-05-01T10:01:00Z') },
      {
        ...base,
        invocationStatus: 'Success',
        invokeStatus: 'Finished',
        observedAt: new Date('2026-05-01T11:00:00Z'),
      },
    ]);
    await snapshot.commit();
    await archive.close();
    // The dump was read at 10:02 but copied a week later: its mtime is after the Success.
    const file = await dump(
      'old.json',
      page(item('t-1', 'Running'), item('t-2', 'Running')),
      new Date(Date.parse(CREATED) + 7 * DAY),
    );
    const events: string[] = [];
    const result = await importJob({
      root,
      files: [file],
      regionId: 'cn-hangzhou',
      instanceId: 'i1',
      onEvent: (e) => events.push(e.type === 'file-done' ? `dated by file ${e.datedByFile}` : e.reason),
    });
    expect(events).toEqual(['dated by file 1']);
    expect(result.commit).toMatchObject({ stale: 1, skipped: 0, newInvocations: 1, changedInvocations: 0 });
    expect(await rows(root, 'SELECT invoke_id, invocation_status FROM invocations ORDER BY 1')).toEqual([
      { invoke_id: 't-1', invocation_status: 'Success' },
      { invoke_id: 't-2', invocation_status: 'Running' },
    ]);
    expect(
      await rows(
        root,
        `SELECT invocation_status FROM invocation_history WHERE invoke_id = 't-1' ORDER BY observed_at`,
      ),
    ).toEqual([{ invocation_status: 'Running' }, { invocation_status: 'Success' }]);
    // The run's row counts invocations as a crawl's does: new and changed, not records offered.
    expect(
      await rows(root, `SELECT records_new, records_changed FROM runs WHERE run_id = '${result.runId}'`),
    ).toEqual([{ records_new: 1, records_changed: 0 }]);
  });

  it('a file time beyond the retention is moved within it, and reported', async () => {
    const root = join(dir, 'retention');
    const file = await dump(
      'late.json',
      page(item('t-1', 'Success')),
      new Date(Date.parse(CREATED) + 60 * DAY),
    );
    const result = await importJob({ root, files: [file], regionId: 'cn-hangzhou', instanceId: 'i1' });
    expect(result.datedByFile).toEqual({ pages: 1, moved: 1 });
    expect(await rows(root, 'SELECT observed_at FROM invocation_history')).toEqual([
      { observed_at: new Date(Date.parse(CREATED) + 14 * DAY).toISOString() },
    ]);
  });

  it('the documented path pattern places pages by the last folders; an unanchored one is refused', async () => {
    const root = join(dir, 'paths');
    const file = await dump(
      join('dumps', 'cn-beijing', 'i-abc', 'page-1.json'),
      page(item('t-1', 'Success')),
    );
    const anchored = /\/(?<region>[^/]+)\/(?<instance>[^/]+)\/[^/]+$/;
    const result = await importJob({ root, files: [file], pathPattern: anchored });
    expect(result.instances.map((i) => `${i.regionId}/${i.instanceId}`)).toEqual(['cn-beijing/i-abc']);
    // The pattern the README showed before: it matches the first folders of the absolute path.
    const loose = await importJob({
      root,
      files: [file],
      pathPattern: /\/(?<region>[^/]+)\/(?<instance>[^/]+)\//,
    });
    expect(loose.records).toBe(0);
    expect(loose.skipped).toEqual([
      expect.objectContaining({
        file,
        reason: expect.stringMatching(
          /^--path-pattern took the region "[^"]+" from .* which is no region id/,
        ),
      }),
    ]);
  });

  it('a gzip cut short is reported by file; the good file is imported', async () => {
    const root = join(dir, 'gzip');
    const lines = Array.from({ length: 200 }, (_, i) => page(item(`g-${i}`, 'Success')));
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const cut = await dump('cut.jsonl.gz', gz.subarray(0, gz.length >> 1));
    const good = await dump('good.json', page(item('ok-1', 'Success')));
    const result = await importJob({ root, files: [cut, good], regionId: 'cn-hangzhou', instanceId: 'i1' });
    expect(result.skipped.at(-1)).toMatchObject({
      file: cut,
      reason: 'gzip cut short: the rest of the file is missing',
    });
    const ids = (await rows(root, 'SELECT invoke_id FROM invocations')).map((r) => r.invoke_id);
    expect(ids).toContain('ok-1');
    expect(ids.length).toBe(result.records);
    expect(result.records).toBeGreaterThan(1);
  });
});
