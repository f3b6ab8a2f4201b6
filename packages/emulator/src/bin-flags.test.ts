import { describe, expect, it } from 'vitest';
import { emulatorProgram, optionsFromFlags } from './bin-flags.js';

const parse = (...argv: string[]) => emulatorProgram().parse(argv, { from: 'user' }).opts();

describe('swas-emulator flags', () => {
  it('map to emulator options, with the defaults the README lists', () => {
    const options = optionsFromFlags(
      parse('--regions', 'cn-beijing, us-east-1', '--retention-days', '2'),
      undefined,
    );
    expect(options).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      seed: 42,
      fleet: { regions: ['cn-beijing', 'us-east-1'], instancesPerRegion: 4, invocations: 400 },
      clock: { speed: 1 },
      order: 'newest-first',
      retention: { maxAgeMs: 2 * 86_400_000, maxRecords: 100_000, capScope: 'region' },
      live: { invocationsPerMinute: 0, releasesPerHour: 0 },
      budgets: { perAction: {}, windowMs: 60_000 },
      faults: { profile: 'none' },
      adminHttp: false,
      adminPrefix: '/__emulator',
    });
    expect(options.credentials).toBeUndefined();
    expect(optionsFromFlags(parse('--regions', '5'), undefined).fleet?.regions).toBe(5);
  });

  it('add --latency-ms to every action, over the fault profile', () => {
    const { faults } = optionsFromFlags(parse('--faults', 'flaky', '--latency-ms', '50'), undefined);
    expect(Object.keys(faults?.actions ?? {})).toEqual([
      'ListRegions',
      'ListInstances',
      'DescribeInvocations',
      'DescribeInvocationResult',
      'RunCommand',
    ]);
    expect(faults?.actions?.DescribeInvocations).toMatchObject({ latencyMs: 50, internalError: 0.02 });
  });

  it('accept a key with its secret and STS token', () => {
    const flags = parse(
      '--access-key-id',
      'LTAI5tMine',
      '--security-token',
      'CAIS-t',
      '--budget',
      'ListInstances=3',
    );
    expect(optionsFromFlags(flags, 's3cret')).toMatchObject({
      credentials: [{ accessKeyId: 'LTAI5tMine', accessKeySecret: 's3cret', securityToken: 'CAIS-t' }],
      budgets: { perAction: { ListInstances: 3 } },
    });
  });
});
