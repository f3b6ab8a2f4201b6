import type { CatalogSnapshot } from './catalog.js';

/**
 * Named instants of the commit protocol at which a test can kill the process (SIGKILL, as a power cut
 * or `kill -9` would), by setting `SWAS_ARCHIVE_CRASH_AT` to the name, or make the write there fail as a
 * full disk or a read-only file system would, with `SWAS_ARCHIVE_FAIL_AT` (and `SWAS_ARCHIVE_FAIL_ERRNO`,
 * `ENOSPC` by default, or `EROFS`). Inert otherwise.
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

/** How often each `kind:point` was passed in this process, for `point@n`, by variable. */
const passes = new Map<string, number>();

/**
 * Kills the process here if `SWAS_ARCHIVE_CRASH_AT` names this point, or throws a file-system error if
 * `SWAS_ARCHIVE_FAIL_AT` does. The value is `point`, optionally preceded by the commit's kind
 * (`compaction:committed`: only a compaction's commit) and followed by the pass (`committed@3`: the third
 * time a commit passes it; default the first).
 */
export function crashPoint(name: CrashPoint, kind: CatalogSnapshot['kind'] = 'ingest'): void {
  if (reached('SWAS_ARCHIVE_CRASH_AT', name, kind)) process.kill(process.pid, 'SIGKILL');
  if (reached('SWAS_ARCHIVE_FAIL_AT', name, kind)) {
    const code = process.env.SWAS_ARCHIVE_FAIL_ERRNO === 'EROFS' ? 'EROFS' : 'ENOSPC';
    const text = code === 'EROFS' ? 'read-only file system' : 'no space left on device';
    throw Object.assign(new Error(`${code}: ${text}, write (injected at ${name})`), { code });
  }
}

/** Whether the variable `env` names this pass of this point. */
function reached(env: string, name: CrashPoint, kind: CatalogSnapshot['kind']): boolean {
  const spec = process.env[env];
  if (!spec) return false;
  const m = /^(?:(ingest|compaction|upgrade):)?([a-z-]+)(?:@(\d+))?$/.exec(spec);
  if (!m || m[2] !== name || (m[1] !== undefined && m[1] !== kind)) return false;
  const key = `${env}:${m[1] ?? ''}:${name}`;
  const n = (passes.get(key) ?? 0) + 1;
  passes.set(key, n);
  return n === Number(m[3] ?? 1);
}
