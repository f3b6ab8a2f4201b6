import type { CatalogSnapshot } from './catalog.js';

/**
 * Named instants of the commit protocol at which a test can kill the process (SIGKILL, as a power cut
 * or `kill -9` would), by setting `SWAS_ARCHIVE_CRASH_AT` to the name. Inert otherwise.
 */
export type CrashPoint =
  | 'staged'
  | 'journal-written'
  | 'committed'
  | 'file-moved'
  | 'catalog-written'
  | 'cleaned';

/** Every crash point, in the order a commit passes them. */
export const CRASH_POINTS: readonly CrashPoint[] = [
  'staged',
  'journal-written',
  'committed',
  'file-moved',
  'catalog-written',
  'cleaned',
];

/** How often each `kind:point` was passed in this process, for `point@n`. */
const passes = new Map<string, number>();

/**
 * Kills the process here if `SWAS_ARCHIVE_CRASH_AT` names this point. The value is `point`, optionally
 * preceded by the commit's kind (`compaction:committed`: only a compaction's commit) and followed by the
 * pass (`committed@3`: the third time a commit passes it; default the first).
 */
export function crashPoint(name: CrashPoint, kind: CatalogSnapshot['kind'] = 'ingest'): void {
  const spec = process.env.SWAS_ARCHIVE_CRASH_AT;
  if (!spec) return;
  const m = /^(?:(ingest|compaction|upgrade):)?([a-z-]+)(?:@(\d+))?$/.exec(spec);
  if (!m || m[2] !== name || (m[1] !== undefined && m[1] !== kind)) return;
  const key = `${m[1] ?? ''}:${name}`;
  const n = (passes.get(key) ?? 0) + 1;
  passes.set(key, n);
  if (n === Number(m[3] ?? 1)) process.kill(process.pid, 'SIGKILL');
}
