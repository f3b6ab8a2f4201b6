import { Random } from '../random.js';
import { type CommandTemplate, LINUX_COMMANDS, WINDOWS_COMMANDS } from './catalog.js';
import type { CommandVariant, FinalStatus, InstanceRecord, InvocationRecord } from './records.js';

const FAILURE_KINDS: readonly { final: FinalStatus; errorCode: string; errorInfo: string; weight: number }[] =
  [
    {
      final: 'Failed',
      errorCode: 'ExitCodeNonzero',
      errorInfo: 'the command exited with a non-zero code',
      weight: 70,
    },
    {
      final: 'Timeout',
      errorCode: 'ExecutionTimeout',
      errorInfo: 'the command did not finish within its timeout',
      weight: 10,
    },
    {
      final: 'Error',
      errorCode: 'ClientNotResponse',
      errorInfo: 'the Cloud Assistant client did not respond',
      weight: 8,
    },
    {
      final: 'Error',
      errorCode: 'ClientNotRunning',
      errorInfo: 'the Cloud Assistant client is not running',
      weight: 5,
    },
    {
      final: 'Failed',
      errorCode: 'DeliveryTimeout',
      errorInfo: 'the command could not be delivered in time',
      weight: 3,
    },
    {
      final: 'Invalid',
      errorCode: 'CommandNotApplicable',
      errorInfo: 'the command type does not apply to this OS',
      weight: 2,
    },
    {
      final: 'Aborted',
      errorCode: 'ExecutionInterrupted',
      errorInfo: 'the execution was interrupted',
      weight: 2,
    },
  ];
const FAILURE_CUMULATIVE = cumulative(FAILURE_KINDS.map((k) => k.weight));

/** The command variants a fleet runs, per OS family. */
export interface FleetCommands {
  Linux: CommandVariant[];
  Windows: CommandVariant[];
}

/** The commands of the fleet generated from `seed`: the same for the same seed. */
export function fleetCommands(seed: number): FleetCommands {
  const random = Random.derive(seed, 'commands');
  return { Linux: commandVariants(random, 'Linux'), Windows: commandVariants(random, 'Windows') };
}

/** Every command variant of one OS family: each template with a few combinations of parameter values. */
function commandVariants(random: Random, os: 'Linux' | 'Windows'): CommandVariant[] {
  const templates = os === 'Linux' ? LINUX_COMMANDS : WINDOWS_COMMANDS;
  return templates.flatMap((t) => {
    const combos = t.parameters ? 3 : 1;
    return Array.from({ length: combos }, () => variantOf(t, pickParameters(random, t)));
  });
}

function pickParameters(random: Random, t: CommandTemplate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(t.parameters ?? {})) out[name] = random.pick(values);
  return out;
}

/** A concrete command: the template's text with `{{name}}` replaced by the parameter values. */
export function variantOf(t: CommandTemplate, parameters: Record<string, string>): CommandVariant {
  const content = t.content.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => parameters[name] ?? whole);
  return {
    name: t.name,
    type: t.type,
    content,
    contentBase64: Buffer.from(content, 'utf8').toString('base64'),
    parameters,
    failureRate: t.failureRate,
    meanSeconds: t.meanSeconds,
    timeoutSeconds: t.timeoutSeconds,
  };
}

/** Draws how one invocation of `command` on `instance` created at `createdAt` will go. */
export function drawInvocation(
  random: Random,
  instance: InstanceRecord,
  command: CommandVariant,
  createdAt: number,
  invokeId: string,
): InvocationRecord {
  const startDelayMs = Math.round(random.exponential(1500)) + 200;
  const timeoutMs = command.timeoutSeconds * 1000;
  const naturalMs = Math.max(100, Math.round(random.exponential(command.meanSeconds * 1000)));
  let final: FinalStatus = 'Success';
  let runMs = Math.min(naturalMs, timeoutMs);
  let stopMs = 0;
  let exitCode = 0;
  let errorCode = '';
  let errorInfo = '';
  const failureRate = Math.min(0.9, command.failureRate * instance.failureFactor);
  const roll = random.next();
  if (roll < 0.004) {
    final = 'Cancelled';
    runMs = 0;
  } else if (roll < 0.008) {
    final = 'Terminated';
    stopMs = 1000 + random.int(0, 4000);
    runMs = Math.round(runMs / 2);
    exitCode = 137;
  } else if (naturalMs > timeoutMs || random.chance(failureRate)) {
    const kind =
      naturalMs > timeoutMs ? FAILURE_KINDS[1] : FAILURE_KINDS[random.weighted(FAILURE_CUMULATIVE)];
    if (!kind) throw new Error('no failure kind');
    final = kind.final;
    errorCode = kind.errorCode;
    errorInfo = kind.errorInfo;
    if (final === 'Timeout') runMs = timeoutMs;
    if (final === 'Invalid' || errorCode === 'ClientNotRunning' || errorCode === 'DeliveryTimeout') runMs = 0;
    exitCode =
      final === 'Failed' && errorCode === 'ExitCodeNonzero' ? random.pick([1, 1, 1, 2, 127, 255]) : 0;
  }
  const outputRoll = random.next();
  const outputBytes =
    outputRoll < 0.2
      ? 0
      : outputRoll < 0.8
        ? random.int(20, 600)
        : outputRoll < 0.96
          ? random.int(1000, 8000)
          : random.int(8000, 24_000);
  return {
    invokeId,
    instance,
    createdAt,
    startDelayMs,
    runMs,
    stopMs,
    final,
    exitCode,
    errorCode,
    errorInfo,
    command,
    invokeUser: instance.osType === 'Windows' ? 'System' : random.chance(0.9) ? 'root' : 'admin',
    outputSeed: Math.floor(random.next() * 0x7fffffff),
    outputBytes,
  };
}

/** A command created through `RunCommand`. */
export interface NewCommand {
  name: string;
  type: CommandVariant['type'];
  content: string;
  parameters: Record<string, string>;
  timeoutSeconds: number;
}

/** The invocation of a user's `RunCommand`: its script decides its outcome, and it runs for about two seconds. */
export function userInvocation(
  random: Random,
  instance: InstanceRecord,
  command: NewCommand,
  now: number,
): InvocationRecord {
  const variant = variantOf(
    {
      name: command.name,
      type: command.type,
      content: command.content,
      failureRate: 0,
      meanSeconds: 2,
      timeoutSeconds: command.timeoutSeconds,
    },
    command.parameters,
  );
  const invokeId = makeInvokeId(random, instance.regionId);
  const inv = drawInvocation(random, instance, variant, now, invokeId);
  // A user's script decides its own outcome: `exit N` fails with that code, anything else succeeds.
  const exit = /\bexit\s+(\d+)/.exec(command.content);
  const exitCode = exit ? Number(exit[1]) : 0;
  return {
    ...inv,
    final: exitCode === 0 ? 'Success' : 'Failed',
    exitCode,
    errorCode: exitCode === 0 ? '' : 'ExitCodeNonzero',
    errorInfo: exitCode === 0 ? '' : 'the command exited with a non-zero code',
    runMs: Math.min(2000, command.timeoutSeconds * 1000),
    startDelayMs: 500,
    stopMs: 0,
  };
}

/** A Cloud Assistant invoke id: `t-` plus a region mark and random characters. */
export function makeInvokeId(random: Random, regionId: string): string {
  const mark = regionId
    .split('-')
    .map((p) => p[0])
    .join('');
  return `t-${mark}${random.base36(14)}`;
}

export function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => {
    sum += w;
    return sum;
  });
}
