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
