import * as OpenApi from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';
import * as $Swas from '@alicloud/swas-open20200601';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './index.js';
import { rawRequest } from './testing/raw-request.js';

// The SDK is CommonJS with `exports.default = Client`; depending on the loader's interop the class sits
// at `.default` or `.default.default`.
type SwasClientClass = typeof $Swas.default;
const sdkDefault = $Swas.default as SwasClientClass & { default?: SwasClientClass };
const SwasClient: SwasClientClass = sdkDefault.default ?? sdkDefault;

let emu: RunningEmulator;
let key: { accessKeyId: string; accessKeySecret: string };
let instanceId: string;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 7,
    credentials: [
      { accessKeyId: 'LTAI5tTestKeyForSigning', accessKeySecret: 'test-secret-0123456789abcdef' },
      {
        accessKeyId: 'STS.TestTemporaryKey',
        accessKeySecret: 'sts-secret-value',
        securityToken: 'CAIS-token-value',
      },
      {
        accessKeyId: 'LTAI5tNoPermission',
        accessKeySecret: 'no-perm-secret',
        forbiddenActions: ['DescribeInvocations'],
      },
    ],
  });
  key = emu.credentials[0] as typeof key;
  instanceId = emu.admin.instances().find((i) => i.regionId === 'cn-hangzhou')?.instanceId as string;
});
afterAll(() => emu.close());

const pop = (secret = key.accessKeySecret, extra: Record<string, string> = {}) =>
  new RPCClient({
    endpoint: emu.endpoint,
    apiVersion: '2020-06-01',
    accessKeyId: key.accessKeyId,
    accessKeySecret: secret,
    ...extra,
  });

const sdk = (accessKeyId: string, accessKeySecret: string, securityToken?: string) =>
  new SwasClient(
    new OpenApi.$OpenApiUtil.Config({
      accessKeyId,
      accessKeySecret,
      securityToken,
      endpoint: emu.endpoint.replace('http://', ''),
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );

describe('signature V2 (pop-core)', () => {
  for (const method of ['GET', 'POST'] as const) {
    it(`accepts ${method} requests and refuses a wrong secret`, async () => {
      const ok = (await pop().request(
        'DescribeInvocations',
        { RegionId: 'cn-hangzhou', InstanceId: instanceId, PageSize: 5 },
        { method },
      )) as { TotalCount: number; Invocations: unknown[] };
      expect(ok.Invocations.length).toBe(Math.min(5, ok.TotalCount));
      const failure = await pop('not-the-secret')
        .request('DescribeInvocations', { RegionId: 'cn-hangzhou', InstanceId: instanceId }, { method })
        .catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: 'SignatureDoesNotMatch' });
      expect((failure as { entry: { response: { statusCode: number } } }).entry.response.statusCode).toBe(
        400,
      );
    });
  }

  it('signs parameters with characters that need encoding', async () => {
    const res = (await pop().request(
      'ListInstances',
      { RegionId: 'cn-hangzhou', InstanceName: "测试 (a)!*'~", PageSize: 100 },
      { method: 'POST' },
    )) as { TotalCount: number };
    expect(res.TotalCount).toBe(0);
  });
});

describe('signature V3 (the generated SDK)', () => {
  it('accepts ACS3-HMAC-SHA256 requests and refuses a wrong secret', async () => {
    const res = await sdk(key.accessKeyId, key.accessKeySecret).describeInvocations(
      new $Swas.DescribeInvocationsRequest({ regionId: 'cn-hangzhou', instanceId, pageSize: 3 }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body?.invocations?.length).toBe(Math.min(3, res.body?.totalCount ?? 0));
    const log = emu.admin.requestLog();
    expect(log.at(-1)).toMatchObject({
      signatureVersion: 'v3',
      outcome: 'ok',
      action: 'DescribeInvocations',
    });
    const failure = await sdk(key.accessKeyId, 'wrong')
      .describeInvocations(new $Swas.DescribeInvocationsRequest({ regionId: 'cn-hangzhou', instanceId }))
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });

  it('checks STS tokens with V3', async () => {
    const ok = await sdk('STS.TestTemporaryKey', 'sts-secret-value', 'CAIS-token-value').listRegions(
      new $Swas.ListRegionsRequest({}),
    );
    expect(ok.body?.regions?.map((r: { regionId?: string }) => r.regionId)).toEqual([
      'cn-hangzhou',
      'cn-shanghai',
      'cn-beijing',
    ]);
    const bad = await sdk('STS.TestTemporaryKey', 'sts-secret-value', 'another-token')
      .listRegions(new $Swas.ListRegionsRequest({}))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });
});

describe('authentication errors', () => {
  const call = (params: Record<string, string>, options: Parameters<typeof rawRequest>[3] = {}, k = key) =>
    rawRequest(emu.endpoint, k, { Action: 'ListRegions', ...params }, options);

  it('answers an unknown key with InvalidAccessKeyId.NotFound (404)', async () => {
    const res = await call({}, {}, { accessKeyId: 'LTAI5tUnknown', accessKeySecret: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Code: 'InvalidAccessKeyId.NotFound' });
    expect(Object.keys(res.body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  });

  it('answers missing signature parts with IncompleteSignature', async () => {
    for (const part of ['Signature', 'SignatureNonce', 'Timestamp', 'AccessKeyId']) {
      const res = await call({}, { omit: [part] });
      expect([res.status, res.body.Code]).toEqual([400, 'IncompleteSignature']);
    }
  });

  it('refuses a clock more than 15 minutes off, and accepts 14', async () => {
    const at = (ms: number) => `${new Date(Date.now() + ms).toISOString().slice(0, 19)}Z`;
    const late = await call({}, { timestamp: at(16 * 60_000) });
    expect([late.status, late.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    const early = await call({}, { timestamp: at(-16 * 60_000) });
    expect(early.body.Code).toBe('InvalidTimeStamp.Expired');
    const fine = await call({}, { timestamp: at(-14 * 60_000) });
    expect(fine.status).toBe(200);
  });

  it('refuses a reused nonce', async () => {
    const first = await call({}, { nonce: 'nonce-used-twice' });
    expect(first.status).toBe(200);
    const second = await call({}, { nonce: 'nonce-used-twice' });
    expect([second.status, second.body.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('refuses an STS key without its token', async () => {
    const sts = { accessKeyId: 'STS.TestTemporaryKey', accessKeySecret: 'sts-secret-value' };
    expect((await call({}, {}, sts)).body.Code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    expect((await call({}, { securityToken: 'CAIS-token-value' }, sts)).status).toBe(200);
  });

  it('answers a missing RAM permission with Forbidden.RAM (403)', async () => {
    const k = { accessKeyId: 'LTAI5tNoPermission', accessKeySecret: 'no-perm-secret' };
    const res = await rawRequest(emu.endpoint, k, {
      Action: 'DescribeInvocations',
      RegionId: 'cn-hangzhou',
      InstanceId: instanceId,
    });
    expect([res.status, res.body.Code]).toEqual([403, 'Forbidden.RAM']);
  });
});
