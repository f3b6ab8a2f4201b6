import type { RunningEmulator } from '@swas-archive/emulator';

const DAY = 86_400_000;

/** The live traffic of a simulated fleet, per virtual day or minute. */
export interface TrafficShape {
  busy: { count: number; perMinute: number };
  quiet: { count: number; perDay: number };
  /** Quiet instances bought, and instances released, a day. */
  newPerDay: number;
  releasedPerDay: number;
}

/** A small seeded generator (mulberry32): the same seed, the same traffic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Poisson arrivals per instance, purchases and releases, applied through the emulator's admin as virtual
 * time passes: `pump()` creates what is due by the emulator's clock (stamped then); the simulation's
 * virtual time stops at each `nextAt()` to pump, so every record is created at its own instant.
 */
export class SimTraffic {
  readonly #next = new Map<string, { at: number; meanMs: number }>();
  readonly #rand: () => number;
  #nextNew: number;
  #nextRelease: number;
  readonly #regionId: string;
  /** Records created so far. */
  arrivals = 0;

  constructor(
    private readonly emu: RunningEmulator,
    private readonly shape: TrafficShape,
    seed: number,
  ) {
    this.#rand = random(seed);
    const now = emu.admin.now();
    const instances = emu.admin.instances();
    this.#regionId = instances[0]?.regionId ?? 'cn-hangzhou';
    instances.forEach((i, n) => {
      const perMinute = n < shape.busy.count ? shape.busy.perMinute : shape.quiet.perDay / 1440;
      this.#add(i.instanceId, perMinute, now);
    });
    this.#nextNew = now + this.#exp(DAY / Math.max(1e-9, shape.newPerDay));
    this.#nextRelease = now + this.#exp(DAY / Math.max(1e-9, shape.releasedPerDay));
  }

  #exp(meanMs: number): number {
    return -Math.log(1 - this.#rand()) * meanMs;
  }

  #add(instanceId: string, perMinute: number, now: number): void {
    const meanMs = 60_000 / perMinute;
    this.#next.set(instanceId, { at: now + this.#exp(meanMs), meanMs });
  }

  /** The instant of the next arrival, purchase or release (whole ms, rounded up). */
  nextAt(): number {
    let next = Math.min(this.#nextNew, this.#nextRelease);
    for (const { at } of this.#next.values()) next = Math.min(next, at);
    return Math.ceil(next);
  }

  /** Applies every arrival, purchase and release due by the emulator's clock now. */
  pump(): void {
    const now = this.emu.admin.now();
    for (const [id, next] of this.#next) {
      while (next.at <= now) {
        this.emu.admin.runCommand(id, {
          name: 'sim',
          type: 'RunShellScript',
          content: 'true',
          timeoutSeconds: 60,
        });
        this.arrivals++;
        next.at += this.#exp(next.meanMs);
      }
    }
    while (this.#nextNew <= now) {
      const id = this.emu.admin.addInstance(this.#regionId);
      this.#add(id, this.shape.quiet.perDay / 1440, now);
      this.#nextNew += this.#exp(DAY / this.shape.newPerDay);
    }
    while (this.#nextRelease <= now) {
      // Quiet instances only: the busy ones carry the scenario's load.
      const quiet = [...this.#next.keys()].slice(this.shape.busy.count);
      const id = quiet[Math.floor(this.#rand() * quiet.length)];
      if (id) {
        this.emu.admin.release(id);
        this.#next.delete(id);
      }
      this.#nextRelease += this.#exp(DAY / this.shape.releasedPerDay);
    }
  }
}
