#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { startEmulator } from './emulator.js';
import { FAULT_PROFILES, type FaultProfileName } from './http/faults.js';
import type { EmulatorOptions } from './options.js';

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be an integer >= 0, got "${value}".`);
  return n;
};
const num = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a number >= 0, got "${value}".`);
  return n;
};
const budget = (value: string, previous: Record<string, number>) => {
  const m = /^([A-Za-z]+)=(\d+)$/.exec(value);
  if (!m)
    throw new InvalidArgumentError(
      `expected Action=N (calls per window), e.g. DescribeInvocations=600, got "${value}".`,
    );
  return { ...previous, [m[1] as string]: Number(m[2]) };
};

const program = new Command('swas-emulator')
  .description(
    'A local server that speaks the Simple Application Server OpenAPI (2020-06-01). Prints one line of JSON with its endpoint and key once listening.',
  )
  .option('--port <n>', 'TCP port (0 picks a free one)', int('--port'), 0)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--seed <n>', 'seed of everything generated', int('--seed'), 42)
  .option('--regions <n|ids>', 'number of regions, or a comma-separated list of region ids', '3')
  .option('--instances-per-region <n>', 'instances in each region', int('--instances-per-region'), 4)
  .option('--invocations <n>', 'invocations held at start, across the fleet', int('--invocations'), 400)
  .option('--clock-start <iso>', 'virtual start instant (default: now)')
  .option('--clock-speed <x>', 'virtual milliseconds per real millisecond', num('--clock-speed'), 1)
  .addOption(
    new Option('--order <order>', 'order of DescribeInvocations results')
      .choices(['newest-first', 'oldest-first'])
      .default('newest-first'),
  )
  .option('--retention-days <d>', 'records older than this vanish', num('--retention-days'), 14)
  .option('--max-records <n>', 'record cap (oldest evicted first)', int('--max-records'), 100_000)
  .addOption(
    new Option('--cap-scope <scope>', 'whether the cap counts per region or per account')
      .choices(['region', 'account'])
      .default('region'),
  )
  .option('--live-rate <n>', 'new invocations per virtual minute while serving', num('--live-rate'), 0)
  .option('--release-rate <n>', 'instances released per virtual hour', num('--release-rate'), 0)
  .option(
    '--budget <Action=N>',
    'calls per window for one action, per access key and region (repeatable)',
    budget,
    {},
  )
  .option('--budget-default <n>', 'calls per window for every other action', int('--budget-default'))
  .option('--budget-window-ms <ms>', 'length of the budget window', int('--budget-window-ms'), 60_000)
  .addOption(
    new Option('--faults <profile>', 'fault profile').choices(Object.keys(FAULT_PROFILES)).default('none'),
  )
  .option('--latency-ms <ms>', 'added latency for every action', num('--latency-ms'))
  .option('--access-key-id <id>', 'accepted access key id (default: derived from the seed)')
  .option('--access-key-secret <secret>', 'its secret (or set SWAS_EMULATOR_ACCESS_KEY_SECRET)')
  .option('--security-token <token>', 'require this STS token with the key')
  .option('--admin', 'serve the admin routes (ground truth, request log, clock, faults)', false)
  .option('--admin-prefix <path>', 'path prefix of the admin routes', '/__emulator');

// Usage errors exit with 2, as every swas-archive command does.
program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
program.parse();
const o = program.opts();

const regions = /^\d+$/.test(o.regions)
  ? Number(o.regions)
  : String(o.regions)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
const secret = o.accessKeySecret ?? process.env.SWAS_EMULATOR_ACCESS_KEY_SECRET;
if ((o.accessKeyId === undefined) !== (secret === undefined)) {
  program.error(
    'error: give both --access-key-id and --access-key-secret (or SWAS_EMULATOR_ACCESS_KEY_SECRET), or neither.',
    { exitCode: 2 },
  );
}
const options: EmulatorOptions = {
  port: o.port,
  host: o.host,
  seed: o.seed,
  fleet: { regions, instancesPerRegion: o.instancesPerRegion, invocations: o.invocations },
  clock: { start: o.clockStart, speed: o.clockSpeed },
  order: o.order,
  retention: { maxAgeMs: o.retentionDays * 86_400_000, maxRecords: o.maxRecords, capScope: o.capScope },
  live: { invocationsPerMinute: o.liveRate, releasesPerHour: o.releaseRate },
  budgets: { perAction: o.budget, default: o.budgetDefault, windowMs: o.budgetWindowMs },
  faults: {
    profile: o.faults as FaultProfileName,
    ...(o.latencyMs === undefined
      ? {}
      : {
          actions: Object.fromEntries(
            [
              'ListRegions',
              'ListInstances',
              'DescribeInvocations',
              'DescribeInvocationResult',
              'RunCommand',
            ].map((a) => [a, { ...FAULT_PROFILES[o.faults as FaultProfileName], latencyMs: o.latencyMs }]),
          ),
        }),
  },
  credentials: o.accessKeyId
    ? [{ accessKeyId: o.accessKeyId, accessKeySecret: secret, securityToken: o.securityToken }]
    : undefined,
  adminHttp: o.admin,
  adminPrefix: o.adminPrefix,
};

try {
  const emulator = await startEmulator(options);
  const key = emulator.credentials[0];
  process.stdout.write(
    `${JSON.stringify({
      endpoint: emulator.endpoint,
      accessKeyId: key?.accessKeyId,
      accessKeySecret: key?.accessKeySecret,
      ...(key?.securityToken ? { securityToken: key.securityToken } : {}),
      ...(o.admin
        ? { admin: `${emulator.endpoint}/${String(o.adminPrefix).replace(/^\/+|\/+$/g, '')}/` }
        : {}),
    })}\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`swas-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
