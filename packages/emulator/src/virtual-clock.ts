import { EmulatorOptionsError, EmulatorUsageError } from './errors.js';

/** Options of the emulator's virtual clock. */
export interface ClockOptions {
  /**
   * The virtual instant at which the emulator starts.
   * @default the real time at start-up
   */
  start?: Date | string | number;
  /**
   * Virtual milliseconds per real millisecond; 0 freezes the clock (it then moves only by `advance`).
   * @default 1
   */
  speed?: number;
}

/**
 * The emulator's notion of "now": retention, live arrivals and invocation progress follow it.
 * Signature time-stamps are checked against the real clock, as the cloud does.
 */
export class VirtualClock {
  readonly #origin: number;
  readonly #realNow: () => number;
  #realOrigin: number;
  #speed: number;
  #offset = 0;

  /** `realNow` is the real time in milliseconds, monotonic; tests may pass their own. */
  constructor(options: ClockOptions = {}, realNow: () => number = () => performance.now()) {
    const start = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (!Number.isFinite(start)) {
      throw new EmulatorOptionsError(
        'clock.start',
        `clock start must be a valid date, got ${String(options.start)}`,
      );
    }
    const speed = checkSpeed(options.speed ?? 1);
    this.#origin = start;
    this.#realNow = realNow;
    this.#realOrigin = realNow();
    this.#speed = speed;
  }

  /** The current virtual time in epoch milliseconds. */
  now(): number {
    return Math.floor(this.#origin + (this.#realNow() - this.#realOrigin) * this.#speed + this.#offset);
  }

  /** The virtual instant the emulator started at. */
  get origin(): number {
    return this.#origin;
  }

  /** Changes the speed from now on; virtual time continues from where it is. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    const now = this.now();
    this.#realOrigin = this.#realNow();
    this.#offset = now - this.#origin;
    this.#speed = speed;
  }

  /** Moves virtual time forward by `ms` at once. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new EmulatorUsageError('advance', `advance expects a finite number >= 0, got ${ms}`);
    }
    this.#offset += ms;
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < 0) {
    throw new EmulatorOptionsError('clock.speed', `clock speed must be a finite number >= 0, got ${speed}`);
  }
  return speed;
}
