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
  #realOrigin: number;
  #speed: number;
  #offset = 0;

  constructor(options: ClockOptions = {}) {
    const start = options.start === undefined ? Date.now() : new Date(options.start).getTime();
    if (!Number.isFinite(start)) {
      throw new EmulatorOptionsError(
        'clock.start',
        `clock start must be a valid date, got ${String(options.start)}`,
      );
    }
    const speed = checkSpeed(options.speed ?? 1);
    this.#origin = start;
    this.#realOrigin = performance.now();
    this.#speed = speed;
  }

  /** The current virtual time in epoch milliseconds. */
  now(): number {
    return Math.floor(this.#origin + (performance.now() - this.#realOrigin) * this.#speed + this.#offset);
  }

  /** The virtual instant the emulator started at. */
  get origin(): number {
    return this.#origin;
  }

  get speed(): number {
    return this.#speed;
  }

  /** Changes the speed from now on; virtual time continues from where it is. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    const now = this.now();
    this.#realOrigin = performance.now();
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

let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/** `2022-07-11T06:37:16Z`: ISO-8601 UTC without fraction, as the API writes times. */
export function formatApiTime(ms: number): string {
  // Serving pages formats many times a second, mostly within one day: build the date part once per day.
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const rest = seconds - day * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const sec = rest % 60;
  return `${cachedDayPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}Z`;
}
