import { formatApiTime } from './api-time.js';
import { EmulatorUsageError } from './errors.js';
import type { CommandType } from './fleet/catalog.js';
import type { FleetStore } from './fleet/fleet-store.js';
import { type GroundTruthInstance, type GroundTruthInvocation, instanceTruth } from './fleet/ground-truth.js';
import type { NewCommand } from './fleet/invocation-factory.js';
import type { FaultInjector } from './http/fault-injector.js';
import type { FaultOptions } from './http/fault-options.js';
import type { RequestLog, RequestLogEntry } from './http/request-log.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * What tests and tools may ask of a running emulator beyond the API: the truth it holds, the requests
 * it served, and control of its clock, faults and fleet.
 */
export class EmulatorAdmin {
  /** Made by {@link startEmulator}; get it as `emulator.admin`. */
  constructor(
    private readonly clock: VirtualClock,
    private readonly store: FleetStore,
    private readonly log: RequestLog,
    private readonly faults: FaultInjector,
  ) {}

  /** Virtual time now, epoch milliseconds. */
  now(): number {
    return this.clock.now();
  }

  /** Virtual time now, as the API writes times. */
  nowIso(): string {
    return formatApiTime(this.clock.now());
  }

  /** Moves virtual time forward, applying arrivals, finishes, releases and evictions at once. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.store.sync(this.clock.now());
  }

  /** Changes how fast virtual time runs from now on (0 freezes it: the fleet stops changing). */
  setClockSpeed(speed: number): void {
    this.store.sync(this.clock.now());
    this.clock.setSpeed(speed);
  }

  /** Every invocation the emulator ever held, with its current state and when it expired. */
  groundTruth(): GroundTruthInvocation[] {
    return this.store.groundTruth(this.clock.now());
  }

  /** Every instance, released ones included. */
  instances(): GroundTruthInstance[] {
    this.store.sync(this.clock.now());
    return [...this.store.instances.values()].map((i) => instanceTruth(i, this.store.heldCount(i)));
  }

  /** Releases an instance now: it leaves `ListInstances` and its records answer `InvalidInstanceId.NotFound`. */
  release(instanceId: string): void {
    const instance = this.store.instances.get(instanceId);
    if (!instance) {
      throw new EmulatorUsageError('release', `no instance ${instanceId} in this fleet`, instanceId);
    }
    this.store.release(instance, this.clock.now());
  }

  /** Creates an instance in `regionId` now (as a purchase would): listed from now on; returns its id. */
  addInstance(regionId: string): string {
    const region = this.store.regions.get(regionId);
    if (!region) {
      throw new EmulatorUsageError('addInstance', `no region ${regionId} in this fleet`, regionId);
    }
    return this.store.addInstance(region, this.clock.now()).instanceId;
  }

  /**
   * Runs a command on an instance now, as `RunCommand` would: it is pending, then running, then final as
   * virtual time passes (`exit N` in the script fails with N). Returns the new invoke id.
   */
  runCommand(instanceId: string, command: Omit<NewCommand, 'parameters'> & Partial<NewCommand>): string {
    const instance = this.store.instances.get(instanceId);
    if (!instance || instance.releasedAt !== undefined) {
      throw new EmulatorUsageError('runCommand', `no live instance ${instanceId} in this fleet`, instanceId);
    }
    return this.store.runCommand(instance, { parameters: {}, ...command }, this.clock.now()).invokeId;
  }

  /**
   * Adds a record with exactly the given values on a live instance now, as {@link runCommand} does: for tests
   * of data the generator never makes (quotes, newlines, SQL, emoji, NUL, bytes that are not UTF-8, a
   * `CommandContent` that is not base64, outputs of megabytes). Returns the new invoke id.
   */
  seedInvocation(instanceId: string, seed: SeededInvocation): string {
    const instance = this.store.instances.get(instanceId);
    if (!instance || instance.releasedAt !== undefined) {
      throw new EmulatorUsageError(
        'seedInvocation',
        `no live instance ${instanceId} in this fleet`,
        instanceId,
      );
    }
    const bytes = Buffer.isBuffer(seed.content) ? seed.content : Buffer.from(seed.content ?? '', 'utf8');
    const text = seed.rawContent ?? bytes.toString('utf8');
    const command = {
      name: seed.name,
      type: seed.type,
      content: text,
      parameters: seed.parameters ?? {},
      timeoutSeconds: 60,
    };
    const inv = this.store.runCommand(instance, command, this.clock.now());
    // The ground truth's text: the bytes read as UTF-8 (U+FFFD where they are not), or the raw value as sent.
    inv.command = {
      ...inv.command,
      content: text,
      contentBase64: seed.rawContent ?? bytes.toString('base64'),
    };
    if (seed.output) {
      inv.output = seed.output;
      inv.outputBytes = seed.output.length;
    }
    return inv.invokeId;
  }

  /** Renames an instance (what `ListInstances` says from now on). */
  renameInstance(instanceId: string, name: string): void {
    const instance = this.store.instances.get(instanceId);
    if (!instance)
      throw new EmulatorUsageError('renameInstance', `no instance ${instanceId} in this fleet`, instanceId);
    instance.instanceName = name;
  }

  /** Every request served so far (up to the log's limit), oldest first. */
  requestLog(): RequestLogEntry[] {
    return this.log.entries();
  }

  /** Empties the request log. */
  clearRequestLog(): void {
    this.log.clear();
  }

  /** Replaces the fault settings from now on. */
  setFaults(options: FaultOptions): void {
    this.faults.reconfigure(options);
  }
}

/** A record for {@link EmulatorAdmin.seedInvocation}: its values exactly as given. */
export interface SeededInvocation {
  name: string;
  type: CommandType;
  /** The script: text (sent as its UTF-8 bytes) or bytes (valid UTF-8 or not), sent base64-encoded. @default '' */
  content?: string | Buffer;
  /** `CommandContent` exactly as sent instead, base64 or not (what another implementation might send). */
  rawContent?: string;
  /** @default {} */
  parameters?: Record<string, string>;
  /** The output bytes `DescribeInvocationResult` sends (base64-encoded) once the command has finished. */
  output?: Buffer;
}
