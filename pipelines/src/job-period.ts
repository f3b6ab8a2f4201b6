import { parseInstant } from '@swas-archive/query';
import { JobUsageError } from './errors.js';

const DAY_MS = 86_400_000;

/** What a report job covers: the `days` before `until`, or from `since` when given. */
export interface JobPeriodOptions {
  /** Whole days before `until`. */
  days: number;
  /** Start, overriding `days`: a `Date`, `2026-11-01`, an ISO time, or a span back from `now` (`30d`). */
  since?: Date | string;
  /** End (exclusive), in the same forms; a date alone includes that day. */
  until?: Date | string;
  /** What `until` is when not given: `now`, or `today` (this UTC day's midnight: whole days only). */
  untilDefault: 'now' | 'today';
  now: Date;
}

/** A job's period, and how files made of it are named. */
export interface JobPeriod {
  since: Date;
  until: Date;
  /** The UTC day of its first instant, `YYYY-MM-DD`. */
  firstDay: string;
  /** The UTC day of its last instant, `YYYY-MM-DD` (the day before `until` when it is a midnight). */
  lastDay: string;
}

/** Checks a job's period and names its days; a problem throws a {@link JobUsageError} saying how to fix it. */
export function jobPeriod(options: JobPeriodOptions): JobPeriod {
  const { days, now } = options;
  if (!Number.isInteger(days) || days < 1)
    throw new JobUsageError(`days must be a whole number of days >= 1, got ${days}`, 'days');
  const until = parseInstant(options.until ?? defaultUntil(options.untilDefault, now), now, 'until', true);
  const since =
    options.since === undefined
      ? new Date(until.getTime() - days * DAY_MS)
      : parseInstant(options.since, now, 'since');
  if (since.getTime() >= until.getTime())
    throw new JobUsageError(
      `the period is empty: since (${since.toISOString()}) must be before until (${until.toISOString()})`,
      'since',
    );
  return { since, until, firstDay: day(since), lastDay: day(new Date(until.getTime() - 1)) };
}

const defaultUntil = (which: 'now' | 'today', now: Date): Date =>
  which === 'now' ? now : new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

/** The UTC day of an instant, `YYYY-MM-DD`. */
const day = (at: Date): string => at.toISOString().slice(0, 10);
