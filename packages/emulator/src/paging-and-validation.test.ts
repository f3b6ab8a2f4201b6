import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './index.js';
import { rawRequest } from './testing/raw-request.js';

type Page = {
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
  Invocations: ({ InvokeId: string; CreationTime: string } & Record<string, unknown>)[];
};

for (const order of ['newest-first', 'oldest-first'] as const) {
  describe(`paging (${order})`, () => {
    let emu: RunningEmulator;
    beforeAll(async () => {
      emu = await startEmulator({
        seed: 3,
        order,
        clock: { speed: 0 },
        fleet: { regions: 2, instancesPerRegion: 3, invocations: 700 },
      });
    });
    afterAll(() => emu.close());

    it('returns every held record exactly once, in order, with TotalCount', async () => {
      const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
      const truth = emu.admin.groundTruth();
      for (const instance of emu.admin.instances()) {
        const seen: string[] = [];
        let total = -1;
        for (let page = 1; ; page++) {
          const res = await rawRequest(emu.endpoint, key, {
            Action: 'DescribeInvocations',
            RegionId: instance.regionId,
            InstanceId: instance.instanceId,
            PageNumber: String(page),
            PageSize: '50',
          });
          const body = res.body as unknown as Page;
          total = body.TotalCount;
          expect(body.PageNumber).toBe(page);
          expect(body.PageSize).toBe(50);
          seen.push(...body.Invocations.map((i) => i.InvokeId));
          if (body.Invocations.length < 50) break;
        }
        const expected = truth.filter((t) => t.instanceId === instance.instanceId && !t.expiredAt);
        const ids = expected.map((t) => t.invokeId);
        expect(total).toBe(expected.length);
        expect(seen).toEqual(order === 'oldest-first' ? ids : [...ids].reverse());
      }
    });
  });
}

describe('request validation', () => {
  let emu: RunningEmulator;
  let call: (params: Record<string, string>) => ReturnType<typeof rawRequest>;
  let instanceId: string;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 11 });
    const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
    call = (params) => rawRequest(emu.endpoint, key, params);
    instanceId = emu.admin.instances()[0]?.instanceId as string;
  });
  afterAll(() => emu.close());

  /** `DescribeInvocations` parameters for the instance that holds the most invocations. */
  const ofBusiest = (params: Record<string, string> = {}) => {
    const busiest = emu.admin.instances().sort((a, b) => b.held - a.held)[0];
    return {
      Action: 'DescribeInvocations',
      RegionId: busiest?.regionId ?? '',
      InstanceId: busiest?.instanceId ?? '',
      ...params,
    };
  };

  const cases: [string, Record<string, string>, number, string][] = [
    ['missing RegionId', { Action: 'DescribeInvocations', InstanceId: 'x' }, 400, 'MissingParameter'],
    [
      'missing InstanceId',
      { Action: 'DescribeInvocations', RegionId: 'cn-hangzhou' },
      400,
      'MissingParameter',
    ],
    [
      'PageSize above 50',
      { Action: 'DescribeInvocations', RegionId: 'cn-hangzhou', InstanceId: 'I', PageSize: '51' },
      400,
      'InvalidParameter',
    ],
    [
      'PageSize "undefined"',
      { Action: 'ListInstances', RegionId: 'cn-hangzhou', PageSize: 'undefined' },
      400,
      'InvalidParameter',
    ],
    [
      'ListInstances PageSize above 100',
      { Action: 'ListInstances', RegionId: 'cn-hangzhou', PageSize: '101' },
      400,
      'InvalidParameter',
    ],
    [
      'PageNumber 0',
      { Action: 'ListInstances', RegionId: 'cn-hangzhou', PageNumber: '0' },
      400,
      'InvalidParameter',
    ],
    [
      'bad InvokeStatus',
      { Action: 'DescribeInvocations', RegionId: 'cn-hangzhou', InstanceId: 'I', InvokeStatus: 'Done' },
      400,
      'InvalidParameter',
    ],
    [
      'unknown instance',
      { Action: 'DescribeInvocations', RegionId: 'cn-hangzhou', InstanceId: 'nope' },
      404,
      'InvalidInstanceId.NotFound',
    ],
    ['unknown action', { Action: 'DescribeEverything' }, 404, 'InvalidAction.NotFound'],
    ['wrong version', { Action: 'ListRegions', Version: '2017-01-01' }, 400, 'InvalidVersion'],
    [
      'unknown region',
      { Action: 'ListInstances', RegionId: 'mars-north-1' },
      404,
      'InvalidRegionId.NotFound',
    ],
    [
      'InstanceIds not JSON',
      { Action: 'ListInstances', RegionId: 'cn-hangzhou', InstanceIds: '[oops' },
      400,
      'InvalidParameter',
    ],
  ];
  for (const [name, params, status, code] of cases) {
    it(`answers ${name} with ${code}`, async () => {
      const p = { ...params };
      if (p.InstanceId === 'I') p.InstanceId = instanceId;
      const res = await call(p);
      expect([res.status, res.body.Code]).toEqual([status, code]);
      expect(String(res.body.Message)).not.toBe('');
    });
  }

  it('uses PageSize 10 by default and answers past the last page with an empty list', async () => {
    const first = (await call(ofBusiest())).body as unknown as Page;
    expect(first.PageSize).toBe(10);
    expect(first.Invocations.length).toBe(Math.min(10, first.TotalCount));
    const past = (await call(ofBusiest({ PageNumber: '9999' }))).body as unknown as Page;
    expect(past.Invocations).toEqual([]);
    expect(past.TotalCount).toBe(first.TotalCount);
  });

  it('names regions in the language asked for', async () => {
    const zh = (await call({ Action: 'ListRegions' })).body as {
      Regions: { RegionId: string; LocalName: string }[];
    };
    const en = (await call({ Action: 'ListRegions', AcceptLanguage: 'en-US' })).body as typeof zh;
    expect(zh.Regions[0]).toMatchObject({ RegionId: 'cn-hangzhou', LocalName: '华东1（杭州）' });
    expect(en.Regions[0]).toMatchObject({ RegionId: 'cn-hangzhou', LocalName: 'China (Hangzhou)' });
  });

  it('filters ListInstances by ids, name and tag', async () => {
    const all = emu.admin.instances().filter((i) => i.regionId === 'cn-hangzhou');
    const two = all.slice(0, 2).map((i) => i.instanceId);
    const byIds = (
      await call({ Action: 'ListInstances', RegionId: 'cn-hangzhou', InstanceIds: JSON.stringify(two) })
    ).body as { Instances: { InstanceId: string; Tags: { Key: string; Value: string }[] }[] };
    expect(byIds.Instances.map((i) => i.InstanceId).sort()).toEqual([...two].sort());
    const env = byIds.Instances[0]?.Tags.find((t) => t.Key === 'env')?.Value ?? '';
    const byTag = (
      await call({
        Action: 'ListInstances',
        RegionId: 'cn-hangzhou',
        'Tag.1.Key': 'env',
        'Tag.1.Value': env,
        PageSize: '100',
      })
    ).body as { Instances: { Tags: { Key: string; Value: string }[] }[] };
    expect(byTag.Instances.length).toBeGreaterThan(0);
    expect(byTag.Instances.every((i) => i.Tags.some((t) => t.Key === 'env' && t.Value === env))).toBe(true);
  });

  it('filters DescribeInvocations by InvokeStatus with a matching TotalCount', async () => {
    const busiest = ofBusiest().InstanceId;
    const truth = emu.admin.groundTruth().filter((t) => t.instanceId === busiest && !t.expiredAt);
    for (const status of ['Finished', 'Failed'] as const) {
      const res = (await call(ofBusiest({ InvokeStatus: status, PageSize: '50' })))
        .body as unknown as Page & { Invocations: { InvokeStatus: string }[] };
      expect(res.TotalCount).toBe(truth.filter((t) => t.invokeStatus === status).length);
      expect(res.Invocations.every((i) => i.InvokeStatus === status)).toBe(true);
    }
  });

  it('carries the same content in XML as in JSON', async () => {
    const params = ofBusiest({ PageSize: '5' });
    const json = (await call(params)).body as unknown as Page & { Invocations: Record<string, unknown>[] };
    const xml = (await call({ ...params, Format: 'XML' })).text;
    const { XMLParser } = await import('fast-xml-parser');
    const parsed = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Invocations' }).parse(
      xml,
    ).DescribeInvocationsResponse;
    expect(Number(parsed.TotalCount)).toBe(json.TotalCount);
    expect(parsed.Invocations.length).toBe(json.Invocations.length);
    for (const [i, inv] of json.Invocations.entries()) {
      const x = parsed.Invocations[i];
      for (const field of [
        'InvokeId',
        'CreationTime',
        'InvocationStatus',
        'InvokeStatus',
        'CommandType',
        'CommandContent',
      ]) {
        expect(String(x[field])).toBe(String(inv[field]));
      }
      expect(x.Parameters === '' ? {} : x.Parameters).toEqual(inv.Parameters);
    }
    const err = await call({ Action: 'ListInstances', Format: 'XML' });
    expect(err.status).toBe(400);
    expect(err.text).toMatch(
      /<Error><RequestId>[^<]+<\/RequestId><HostId>[^<]+<\/HostId><Code>MissingParameter<\/Code>/,
    );
  });
});
