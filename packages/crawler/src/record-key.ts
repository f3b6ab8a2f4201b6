/** A record as the walk compares it: its invoke id and creation time (epoch ms). */
export interface RecordKey {
  id: string;
  t: number;
}

// Loops rather than `Math.min(...times)`: spreading an instance's records into arguments overflows the
// call stack past about 120,000 of them.

/** The oldest creation time among `records`, or undefined when there are none. */
export function oldestOf(records: Iterable<RecordKey>): number | undefined {
  let oldest: number | undefined;
  for (const r of records) if (oldest === undefined || r.t < oldest) oldest = r.t;
  return oldest;
}

/** The newest creation time among `records`, or undefined when there are none. */
export function newestOf(records: Iterable<RecordKey>): number | undefined {
  let newest: number | undefined;
  for (const r of records) if (newest === undefined || r.t > newest) newest = r.t;
  return newest;
}
