import { formatApiTime } from './api-time.js';
import { EmulatorUsageError } from './errors.js';
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
