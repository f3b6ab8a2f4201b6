/** A fleet that does not change while it is crawled (its clock stands still). */
export const quietFleet = (extra: Record<string, unknown> = {}) => ({
  seed: 23,
  clock: { start: '2026-05-01T00:00:00Z', speed: 0 },
  fleet: { regions: 2, instancesPerRegion: 3, invocations: 900 },
  ...extra,
});
