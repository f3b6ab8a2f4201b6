import type { InvocationObservation, ObservedResult } from '@swas-archive/archive';

/** A small deterministic PRNG (mulberry32): the same seed gives the same fleet. */
export class BenchRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** A command of the bench fleet: what it runs and how often it fails. */
interface BenchCommand {
  name: string;
  type: 'RunShellScript' | 'RunBatScript' | 'RunPowerShellScript';
  content: string;
  contentBase64: string;
  parameters: Record<string, string>[];
  /** How often it runs, relative to the others of its OS. */
  weight: number;
  failureRate: number;
}

const command = (
  name: string,
  type: BenchCommand['type'],
  content: string,
  weight: number,
  failureRate: number,
  parameters: Record<string, string>[] = [{}],
): BenchCommand => ({
  name,
  type,
  content,
  contentBase64: Buffer.from(content, 'utf8').toString('base64'),
  parameters,
  weight,
  failureRate,
});

/** Fifteen command names: eleven run on Linux instances, four on Windows ones. */
const LINUX: readonly BenchCommand[] = [
  command('health-check', 'RunShellScript', 'curl -fsS --max-time 5 http://127.0.0.1:8080/healthz', 30, 0.04),
  command('disk-usage', 'RunShellScript', 'df -h\ndu -sh /var/log', 15, 0.005),
  command('uptime', 'RunShellScript', 'uptime', 10, 0.002),
  command('restart-service', 'RunShellScript', 'systemctl restart {{service}}', 8, 0.03, [
    { service: 'nginx' },
    { service: 'mysqld' },
    { service: 'redis' },
  ]),
  command('yum-update', 'RunShellScript', '#!/bin/bash\nset -e\nyum -y update', 5, 0.06),
  command('deploy-app', 'RunShellScript', 'cd /opt/app && git checkout {{version}} && ./deploy.sh', 8, 0.22, [
    { version: 'v1.4.2' },
    { version: 'v1.5.0' },
  ]),
  command('db-backup', 'RunShellScript', 'mysqldump --all-databases | gzip > /backup/db.sql.gz', 4, 0.08),
  command(
    '清理日志',
    'RunShellScript',
    'find /var/log -name "*.log" -mtime +7 -delete\necho "完成"',
    5,
    0.01,
  ),
  command('cert-renew', 'RunShellScript', 'certbot renew --quiet && nginx -s reload', 3, 0.12),
  command('install-agent', 'RunShellScript', 'wget -qO- https://example.invalid/agent.sh | bash', 2, 0.15),
  command('rotate-keys', 'RunShellScript', '/opt/ops/rotate-keys.sh --env {{env}}', 2, 0.1, [
    { env: 'prod' },
    { env: 'staging' },
  ]),
];
const WINDOWS: readonly BenchCommand[] = [
  command('win-disk', 'RunBatScript', 'wmic logicaldisk get size,freespace,caption', 20, 0.01),
  command('win-update', 'RunPowerShellScript', 'Get-WindowsUpdate -AcceptAll -Install', 5, 0.18),
  command('iis-reset', 'RunBatScript', 'iisreset /restart', 8, 0.05),
  command(
    '服务巡检',
    'RunPowerShellScript',
    'Get-Service | Where-Object {$_.Status -eq "Stopped"}',
    10,
    0.02,
  ),
];

/** How a failed invocation ends: its status, and its result's error. */
const FAILURES: readonly [status: string, errorCode: string, weight: number][] = [
  ['Failed', 'ExitCodeNonzero', 70],
  ['Timeout', 'ExecutionTimeout', 10],
  ['Error', 'ClientNotResponse', 8],
  ['Error', 'ClientNotRunning', 5],
  ['Invalid', 'CommandNotApplicable', 2],
  ['Aborted', 'ExecutionInterrupted', 2],
  ['Cancelled', '', 2],
  ['Terminated', '', 1],
];

const INVOKE_STATUS: Record<string, string> = {
  Success: 'Finished',
  Failed: 'Failed',
  Timeout: 'Failed',
  Error: 'Failed',
  Invalid: 'Failed',
  Aborted: 'Failed',
  Cancelled: 'Stopped',
  Terminated: 'Stopped',
  Running: 'Running',
};

/** One instance of the bench fleet. */
export interface BenchInstance {
  regionId: string;
  instanceId: string;
  commands: readonly BenchCommand[];
  /** Cumulative weights of `commands`. */
  cumulative: number[];
}

/** The regions of the bench fleet, 25 instances each; one in five instances runs Windows. */
export const BENCH_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'] as const;

export function benchInstances(random: BenchRandom): BenchInstance[] {
  const out: BenchInstance[] = [];
  for (const regionId of BENCH_REGIONS) {
    for (let i = 0; i < 25; i++) {
      const commands = i % 5 === 4 ? WINDOWS : LINUX;
      let sum = 0;
      const cumulative = commands.map((c) => (sum += c.weight));
      const hex = Array.from({ length: 32 }, () => random.int(16).toString(16)).join('');
      out.push({ regionId, instanceId: hex, commands, cumulative });
    }
  }
  return out;
}

/** The final state of one generated invocation, and whether a crawl saw it first still running. */
export interface BenchInvocation {
  final: InvocationObservation;
  /** Its first observation, not final (`Running`), when a crawl saw it before it ended. */
  early?: InvocationObservation;
}

/** One invocation created at `creationTime` (whole seconds), observed finally at `observedAt`. */
export function benchInvocation(
  random: BenchRandom,
  instance: BenchInstance,
  invokeId: string,
  creationTime: Date,
  finalObservedAt: Date,
  earlyObservedAt: Date | undefined,
): BenchInvocation {
  const roll = random.next() * (instance.cumulative.at(-1) as number);
  const cmd = instance.commands[instance.cumulative.findIndex((c) => roll < c)] as BenchCommand;
  const parameters = random.pick(cmd.parameters);
  let status = 'Success';
  let errorCode = '';
  if (random.next() < cmd.failureRate) {
    let w = random.int(100);
    for (const [s, code, weight] of FAILURES) {
      if (w < weight) {
        status = s;
        errorCode = code;
        break;
      }
      w -= weight;
    }
    if (status === 'Success') status = 'Failed';
  }
  const listing = {
    account: 'bench-account',
    regionId: instance.regionId,
    instanceId: instance.instanceId,
    invokeId,
    creationTime,
    commandType: cmd.type,
    commandName: cmd.name,
    commandContent: cmd.content.replace(/\{\{(\w+)\}\}/g, (_, k: string) => parameters[k] ?? ''),
    parameters,
  };
  const withResult = random.int(5) === 0;
  const final: InvocationObservation = {
    ...listing,
    invocationStatus: status,
    invokeStatus: INVOKE_STATUS[status] as string,
    observedAt: finalObservedAt,
    ...(withResult ? { result: benchResult(random, cmd, status, errorCode, creationTime) } : {}),
  };
  if (!earlyObservedAt) return { final };
  return {
    final,
    early: { ...listing, invocationStatus: 'Running', invokeStatus: 'Running', observedAt: earlyObservedAt },
  };
}

function benchResult(
  random: BenchRandom,
  cmd: BenchCommand,
  status: string,
  errorCode: string,
  creationTime: Date,
): ObservedResult {
  const started = creationTime.getTime() + 1000 + random.int(3000);
  const lines = 2 + random.int(8);
  const output = Array.from(
    { length: lines },
    (_, i) =>
      `[${new Date(started + i * 137).toISOString()}] ${cmd.name} step ${i + 1}/${lines}: ${
        status === 'Success' || i < lines - 1
          ? `ok (${random.int(100_000)} bytes, ${random.int(900)} ms)`
          : 'error: exit status 1'
      }`,
  ).join('\n');
  return {
    exitCode: status === 'Success' ? 0 : 1,
    output,
    errorCode,
    errorInfo: errorCode ? `${errorCode}: the command did not complete` : '',
    startTime: new Date(started),
    finishedTime: new Date(started + random.int(60_000)),
    invokeUser: cmd.type === 'RunShellScript' ? 'root' : 'System',
  };
}

/** The final state as one line of raw API JSON: a `DescribeInvocations` item with its region and instance. */
export function apiJsonLine(o: InvocationObservation): string {
  return JSON.stringify({
    RegionId: o.regionId,
    InstanceId: o.instanceId,
    InvokeId: o.invokeId,
    CreationTime: `${o.creationTime.toISOString().slice(0, 19)}Z`,
    InvocationStatus: o.invocationStatus,
    InvokeStatus: o.invokeStatus,
    CommandType: o.commandType,
    CommandName: o.commandName,
    CommandContent: Buffer.from(o.commandContent, 'utf8').toString('base64'),
    Parameters: o.parameters,
  });
}
