import { nonNegative } from '../option-checks.js';
import { Random } from '../random.js';
import type { FleetCommands } from './fleet-commands.js';
import type { LiveOptions } from './fleet-options.js';
import { drawInvocation, makeInvokeId } from './invocation-factory.js';
import type { InstanceRecord, InvocationRecord } from './records.js';

/** One change of the fleet while it serves: a new invocation, or an instance released. */
export interface LiveChange {
  at: number;
  /** The new invocation (none when every instance it tried had been released). */
  arrival?: InvocationRecord;
  /** The instance to release (none when every instance is released already). */
  release?: InstanceRecord;
}

/** What live changes draw from: the generated fleet, which they read and never modify. */
export interface LiveFleet {
  instances: readonly InstanceRecord[];
  /** Cumulative weights of `instances`: busy instances receive most new invocations. */
  weights: readonly number[];
  commands: FleetCommands;
}

/**
 * The arrivals and releases of a fleet that keeps changing, as Poisson processes in virtual time,
 * each drawn from its own stream of the seed so that one never shifts the other.
 */
export class LiveChanges {
  readonly #arrivals: Random;
  readonly #releases: Random;
  readonly #arrivalMeanMs: number;
  readonly #releaseMeanMs: number;
  #nextArrivalAt = Number.POSITIVE_INFINITY;
  #nextReleaseAt = Number.POSITIVE_INFINITY;

  /** Draws the first arrival and release after `start`; a rate of 0 means none ever. */
  constructor(
    seed: number,
    options: Required<LiveOptions>,
    start: number,
    private readonly fleet: LiveFleet,
  ) {
    this.#arrivals = Random.derive(seed, 'arrivals');
    this.#releases = Random.derive(seed, 'releases');
    this.#arrivalMeanMs = 60_000 / options.invocationsPerMinute;
    this.#releaseMeanMs = 3_600_000 / options.releasesPerHour;
    if (options.invocationsPerMinute > 0)
      this.#nextArrivalAt = start + this.#arrivals.exponential(this.#arrivalMeanMs);
    if (options.releasesPerHour > 0)
      this.#nextReleaseAt = start + this.#releases.exponential(this.#releaseMeanMs);
  }

  /** The next change due at or before `now` (an arrival first on a tie), or undefined when none is. */
  next(now: number): LiveChange | undefined {
    const at = Math.min(this.#nextArrivalAt, this.#nextReleaseAt);
    if (at > now) return undefined;
    if (at === this.#nextArrivalAt) {
      const arrival = this.#arrive(at);
      this.#nextArrivalAt = at + this.#arrivals.exponential(this.#arrivalMeanMs);
      return { at, arrival };
    }
    const candidates = this.fleet.instances.filter((i) => i.releasedAt === undefined);
    const release = candidates.length > 0 ? this.#releases.pick(candidates) : undefined;
    this.#nextReleaseAt = at + this.#releases.exponential(this.#releaseMeanMs);
    return { at, release };
  }

  #arrive(at: number): InvocationRecord | undefined {
    // A few tries, so that a fleet with released busy instances still receives new invocations.
    for (let attempt = 0; attempt < 8; attempt++) {
      const instance = this.fleet.instances[this.#arrivals.weighted(this.fleet.weights)];
      if (!instance || instance.releasedAt !== undefined) continue;
      const command = this.#arrivals.pick(this.fleet.commands[instance.osType]);
      const invokeId = makeInvokeId(this.#arrivals, instance.regionId);
      return drawInvocation(this.#arrivals, instance, command, at, invokeId);
    }
    return undefined;
  }
}

/** The live options with their defaults, checked. */
export function resolveLiveOptions(options: LiveOptions): Required<LiveOptions> {
  return {
    invocationsPerMinute: nonNegative('live.invocationsPerMinute', options.invocationsPerMinute ?? 0),
    releasesPerHour: nonNegative('live.releasesPerHour', options.releasesPerHour ?? 0),
  };
}
