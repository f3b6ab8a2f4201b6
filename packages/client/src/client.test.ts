import { type RunningEmulator, startEmulator } from '@swas-archive/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  type CallEvent,
  createSwasClient,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
} from './index.js';
import { failure, SECRET, TOKEN } from './testing/api-failure.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    seed: 12,
    clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 3, invocations: 300, windowsShare: 0.5 },
    credentials: [
      { accessKeyId: 'LTAI5tClientTestKey', accessKeySecret: SECRET },
      { accessKeyId: 'STS.ClientTestKey', accessKeySecret: SECRET, securityToken: TOKEN },
      {
        accessKeyId: 'LTAI5tNoPermission',
        accessKeySecret: SECRET,
        forbiddenActions: ['DescribeInvocations'],
      },
    ],
  });
});
afterAll(() => emu.close());

const client = (extra: Parameters<typeof createSwasClient>[0] = {}) =>
  createSwasClient({
    endpoint: emu.endpoint,
    credentials: { accessKeyId: 'LTAI5tClientTestKey', accessKeySecret: SECRET },
    ...extra,
  });

describe('actions', () => {
  it('lists regions and instances', async () => {
    const c = client();
    const regions = await c.listRegions();
    expect(regions.map((r) => r.regionId)).toEqual(['cn-hangzhou', 'cn-shanghai']);
    expect(regions[0]?.localName).toBe('华东1（杭州）');
    const page = await c.listInstances({ regionId: 'cn-shanghai', pageSize: 2 });
    expect(page.totalCount).toBe(3);
    expect(page.items).toHaveLength(2);
    const truth = emu.admin.instances().filter((i) => i.regionId === 'cn-shanghai');
    expect(truth.map((t) => t.instanceId)).toContain(page.items[0]?.instanceId);
    expect(page.items[0]?.creationTime).toBeInstanceOf(Date);
    expect(page.items[0]?.tags.some((t) => t.key === 'env')).toBe(true);
  });

  it('decodes invocations exactly as the ground truth holds them', async () => {
    const c = client();
    const truth = emu.admin.groundTruth();
    for (const instance of emu.admin.instances()) {
      const seen = [];
      for (let pageNumber = 1; ; pageNumber++) {
        const page = await c.describeInvocations({
          regionId: instance.regionId,
          instanceId: instance.instanceId,
          pageNumber,
          pageSize: 50,
        });
        seen.push(...page.items);
        if (page.items.length < 50) break;
      }
      const expected = truth.filter((t) => t.instanceId === instance.instanceId);
      expect(seen).toHaveLength(expected.length);
      const byId = new Map(expected.map((t) => [t.invokeId, t]));
      for (const inv of seen) {
        const t = byId.get(inv.invokeId);
        expect(inv.creationTime.toISOString()).toBe(t?.creationTime.replace('Z', '.000Z'));
        expect(inv.commandContent).toBe(t?.commandContent);
        expect(inv.parameters).toEqual(t?.parameters);
        expect([inv.invocationStatus, inv.invokeStatus, inv.commandType, inv.commandName]).toEqual([
          t?.invocationStatus,
          t?.invokeStatus,
          t?.commandType,
          t?.commandName,
        ]);
        expect(inv.commandContentBase64).toBeUndefined();
      }
    }
  });

  it('decodes results, keeping output bytes that are not UTF-8', async () => {
    const c = client();
    const windows = emu.admin
      .groundTruth()
      .filter((t) => t.commandType === 'RunBatScript' && t.invokeStatus !== 'Running');
    let raw = 0;
    for (const t of windows) {
      const r = await c.describeInvocationResult({
        regionId: t.regionId,
        instanceId: t.instanceId,
        invokeId: t.invokeId,
      });
      expect(r.invokeId).toBe(t.invokeId);
      expect(r.invocationStatus).toBe(t.invocationStatus);
      expect(r.finishedTime).toBeInstanceOf(Date);
      if (r.outputBase64) {
        raw++;
        const bytes = Buffer.from(r.outputBase64, 'base64');
        expect(bytes.toString('utf8')).toBe(r.output);
        expect(bytes.includes(Buffer.from([0xb2, 0xe2]))).toBe(true);
      }
    }
    expect(raw).toBeGreaterThan(0);
  });

  it('reports every call, with its outcome', async () => {
    const events: CallEvent[] = [];
    const c = client({ onCall: (e) => events.push(e) });
    await c.listRegions();
    await c.describeInvocations({ regionId: 'cn-hangzhou', instanceId: 'missing' }).catch(() => undefined);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['ListRegions', 'ok'],
      ['DescribeInvocations', 'InvalidInstanceId.NotFound'],
    ]);
    expect(events[1]).toMatchObject({ regionId: 'cn-hangzhou', instanceId: 'missing' });
    expect(events[1]?.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });
});

describe('errors from real emulator answers', () => {
  it('wrong secret: AuthenticationError naming what to check', async () => {
    const c = createSwasClient({
      endpoint: emu.endpoint,
      credentials: { accessKeyId: 'LTAI5tClientTestKey', accessKeySecret: 'wrong-secret-value' },
    });
    const e = await failure(c.listRegions());
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).toMatchObject({
      code: 'api.authentication',
      serverCode: 'SignatureDoesNotMatch',
      httpStatus: 400,
      transient: false,
      action: 'ListRegions',
    });
    expect(e.message).toMatch(
      /secret does not match for access key LTAI5t…Key: check the access key id and secret/,
    );
    expect(e.message).not.toContain('wrong-secret-value');
    expect(e.requestId).toBeTruthy();
  });

  it('unknown key, and an STS key without or with its token', async () => {
    const unknown = await failure(
      createSwasClient({
        endpoint: emu.endpoint,
        credentials: { accessKeyId: 'LTAI5tNobody', accessKeySecret: SECRET },
      }).listRegions(),
    );
    expect(unknown).toBeInstanceOf(AuthenticationError);
    expect(unknown.serverCode).toBe('InvalidAccessKeyId.NotFound');
    const noToken = await failure(
      createSwasClient({
        endpoint: emu.endpoint,
        credentials: { accessKeyId: 'STS.ClientTestKey', accessKeySecret: SECRET },
      }).listRegions(),
    );
    expect(noToken).toBeInstanceOf(AuthenticationError);
    const withToken = createSwasClient({
      endpoint: emu.endpoint,
      credentials: { accessKeyId: 'STS.ClientTestKey', accessKeySecret: SECRET, securityToken: TOKEN },
    });
    expect(await withToken.listRegions()).toHaveLength(2);
  });

  it('missing RAM permission: PermissionError', async () => {
    const c = createSwasClient({
      endpoint: emu.endpoint,
      credentials: { accessKeyId: 'LTAI5tNoPermission', accessKeySecret: SECRET },
    });
    const e = await failure(c.describeInvocations({ regionId: 'cn-hangzhou', instanceId: 'x' }));
    expect(e).toBeInstanceOf(PermissionError);
    expect(e.message).toMatch(/lacks the RAM permission for swas-open:DescribeInvocations in cn-hangzhou/);
  });

  it('released instance: NotFoundError carrying the instance', async () => {
    const gone = emu.admin.instances().find((i) => i.regionId === 'cn-shanghai' && !i.releasedAt);
    emu.admin.release(gone?.instanceId ?? '');
    const e = await failure(
      client().describeInvocations({ regionId: 'cn-shanghai', instanceId: gone?.instanceId ?? '' }),
    );
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e).toMatchObject({
      code: 'api.not-found',
      serverCode: 'InvalidInstanceId.NotFound',
      httpStatus: 404,
      instanceId: gone?.instanceId,
      regionId: 'cn-shanghai',
      transient: false,
    });
  });

  it('invalid parameter: InvalidRequestError', async () => {
    const instanceId = emu.admin.instances().find((i) => !i.releasedAt)?.instanceId ?? '';
    const e = await failure(
      client().describeInvocations({
        regionId: 'cn-hangzhou',
        instanceId,
        invokeStatus: 'Sideways' as 'Running',
      }),
    );
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect(e).toMatchObject({ code: 'api.invalid-request', serverCode: 'InvalidParameter' });
  });

  it('refuses bad paging before any request', () => {
    expect(() =>
      client().describeInvocations({ regionId: 'cn-hangzhou', instanceId: 'i', pageSize: 51 }),
    ).toThrow(/pageSize must be an integer from 1 to 50/);
  });
});
