/** The shape and size of a generated fleet. */
export interface FleetOptions {
  /**
   * How many regions (taken in order from the emulator's catalog), or their ids.
   * @default 3
   */
  regions?: number | readonly string[];
  /** @default 4 */
  instancesPerRegion?: number;
  /**
   * Invocations held when the emulator starts, spread over the retention window and skewed so that a
   * few busy instances hold most of them.
   * @default 400
   */
  invocations?: number;
  /**
   * Share of Windows instances (which run `RunBatScript` and `RunPowerShellScript`).
   * @default 0.2
   */
  windowsShare?: number;
  /**
   * Share of instances that are failure hot spots (commands fail there about eight times as often).
   * @default 0.15
   */
  hotSpotShare?: number;
}

/** How long and how many records the emulated service keeps. */
export interface RetentionOptions {
  /**
   * Records older than this vanish.
   * @default 14 days
   */
  maxAgeMs?: number;
  /**
   * At most this many records are kept; the oldest are evicted first.
   * @default 100000
   */
  maxRecords?: number;
  /**
   * Whether the record cap counts per region or for the whole account (unconfirmed in the real API).
   * @default 'region'
   */
  capScope?: 'region' | 'account';
}

/** How the fleet changes while the emulator serves. */
export interface LiveOptions {
  /**
   * New invocations per virtual minute across the fleet.
   * @default 0
   */
  invocationsPerMinute?: number;
  /**
   * Instances released per virtual hour across the fleet.
   * @default 0
   */
  releasesPerHour?: number;
}

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
