import { ReportOptionsError } from '../errors.js';

const DAY_MS = 86_400_000;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

const SPAN = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A span of time as milliseconds: `90s`, `30m` (minutes), `12h`, `30d`, `2w`, or a number of milliseconds. */
export function parseSpan(value: string | number, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return value;
  } else {
    const m = SPAN.exec(value.trim());
    if (m) {
      const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
      if (ms > 0) return ms;
    }
  }
  throw new ReportOptionsError(
    `${option} must be a span of time such as 30m, 12h, 30d or 2w (s, m = minutes, h, d, w), got "${value}"`,
    option,
  );
}

/**
 * An instant from what a user typed: a `Date`; `now`; a UTC date `2026-11-14` (its midnight, or with
 * `endOfDay` the next one, so that `--until 2026-11-30` includes the 30th); an ISO time
 * `2026-11-14T08:00:00Z` (UTC when it names no zone); or a span back from `now` (`30d`, `12h`).
 */
/** Whether `day` (YYYY-MM-DD) is a day of the calendar: `Date.parse` reads 2026-02-30 as 2026-03-02. */
function isCalendarDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

export function parseInstant(value: string | Date, now: Date, option: string, endOfDay = false): Date {
  if (value instanceof Date) {
    if (!Number.isNaN(value.getTime())) return value;
  } else {
    const text = value.trim();
    if (text === 'now') return now;
    if (DATE.test(text)) {
      const ms = Date.parse(`${text}T00:00:00Z`);
      if (!Number.isNaN(ms) && isCalendarDay(text)) return new Date(endOfDay ? ms + DAY_MS : ms);
    }
    const time = TIME.exec(text);
    if (time && isCalendarDay(text.slice(0, 10))) {
      const ms = Date.parse(time[1] ? text : `${text}Z`);
      if (!Number.isNaN(ms)) return new Date(ms);
    }
    if (SPAN.test(text)) return new Date(now.getTime() - parseSpan(text, option));
  }
  throw new ReportOptionsError(
    `${option} must be a date (2026-11-01), an ISO time (2026-11-01T08:00:00Z), now, or a span back from now (30d, 12h, 2w); got "${String(value)}"`,
    option,
  );
}
