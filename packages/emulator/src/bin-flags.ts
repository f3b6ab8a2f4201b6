import { Command, InvalidArgumentError, Option, type OptionValues } from 'commander';
import { ACTIONS } from './actions/action-table.js';
import type { EmulatorOptions } from './emulator-options.js';
import { FAULT_PROFILES, type FaultProfileName } from './http/fault-options.js';

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

/** The `swas-emulator` command line: its flags, with their defaults and checks. */
export function emulatorProgram(): Command {
  return new Command('swas-emulator')
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
}

/** The emulator options that parsed flags ask for; `secret` is the key's secret from a flag or the environment. */
export function optionsFromFlags(o: OptionValues, secret: string | undefined): EmulatorOptions {
  const regions = /^\d+$/.test(o.regions)
    ? Number(o.regions)
    : String(o.regions)
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
  return {
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
              Object.keys(ACTIONS).map((a) => [
                a,
                { ...FAULT_PROFILES[o.faults as FaultProfileName], latencyMs: o.latencyMs },
              ]),
            ),
          }),
    },
    credentials:
      o.accessKeyId && secret !== undefined
        ? [{ accessKeyId: o.accessKeyId, accessKeySecret: secret, securityToken: o.securityToken }]
        : undefined,
    adminHttp: o.admin,
    adminPrefix: o.adminPrefix,
  };
}
