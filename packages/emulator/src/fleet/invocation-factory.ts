import { cumulative, type Random } from '../random.js';
import { variantOf } from './fleet-commands.js';
import type { CommandVariant, FinalStatus, InstanceRecord, InvocationRecord } from './records.js';

interface FailureKind {
  final: FinalStatus;
  errorCode: string;
  errorInfo: string;
  weight: number;
}

const FAILURE_KINDS: readonly FailureKind[] = [
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
const TIMEOUT = FAILURE_KINDS[1] as FailureKind;
const FAILURE_CUMULATIVE = cumulative(FAILURE_KINDS.map((k) => k.weight));

/** How an invocation ends and how long each phase takes. */
type Outcome = Pick<InvocationRecord, 'runMs' | 'stopMs' | 'final' | 'exitCode' | 'errorCode' | 'errorInfo'>;

// Every function below draws from `random` in a fixed order: reordering the draws changes every fleet.

/** Draws how one invocation of `command` on `instance` created at `createdAt` will go. */
export function drawInvocation(
  random: Random,
  instance: InstanceRecord,
  command: CommandVariant,
  createdAt: number,
  invokeId: string,
): InvocationRecord {
  const startDelayMs = Math.round(random.exponential(1500)) + 200;
  const outcome = drawOutcome(random, instance, command);
  const outputBytes = drawOutputBytes(random);
  return {
    invokeId,
    instance,
    createdAt,
    startDelayMs,
    ...outcome,
    command,
    invokeUser: instance.osType === 'Windows' ? 'System' : random.chance(0.9) ? 'root' : 'admin',
    outputSeed: Math.floor(random.next() * 0x7fffffff),
    outputBytes,
  };
}

function drawOutcome(random: Random, instance: InstanceRecord, command: CommandVariant): Outcome {
  const timeoutMs = command.timeoutSeconds * 1000;
  const naturalMs = Math.max(100, Math.round(random.exponential(command.meanSeconds * 1000)));
  const runMs = Math.min(naturalMs, timeoutMs);
  const failureRate = Math.min(0.9, command.failureRate * instance.failureFactor);
  const roll = random.next();
  const clean = { stopMs: 0, exitCode: 0, errorCode: '', errorInfo: '' };
  if (roll < 0.004) return { ...clean, runMs: 0, final: 'Cancelled' };
  if (roll < 0.008) {
    const stopMs = 1000 + random.int(0, 4000);
    return { ...clean, runMs: Math.round(runMs / 2), stopMs, final: 'Terminated', exitCode: 137 };
  }
  if (naturalMs > timeoutMs || random.chance(failureRate)) {
    const kind = naturalMs > timeoutMs ? TIMEOUT : FAILURE_KINDS[random.weighted(FAILURE_CUMULATIVE)];
    if (!kind) throw new Error('no failure kind');
    const { final, errorCode, errorInfo } = kind;
    // Some failures never reach the instance, so nothing runs; a timeout runs for exactly the timeout.
    const neverRan =
      final === 'Invalid' || errorCode === 'ClientNotRunning' || errorCode === 'DeliveryTimeout';
    const exitCode =
      final === 'Failed' && errorCode === 'ExitCodeNonzero' ? random.pick([1, 1, 1, 2, 127, 255]) : 0;
    return {
      ...clean,
      runMs: neverRan ? 0 : final === 'Timeout' ? timeoutMs : runMs,
      final,
      exitCode,
      errorCode,
      errorInfo,
    };
  }
  return { ...clean, runMs, final: 'Success' };
}

/** Mostly short outputs, a few long ones. */
function drawOutputBytes(random: Random): number {
  const roll = random.next();
  if (roll < 0.2) return 0;
  if (roll < 0.8) return random.int(20, 600);
  if (roll < 0.96) return random.int(1000, 8000);
  return random.int(8000, 24_000);
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
