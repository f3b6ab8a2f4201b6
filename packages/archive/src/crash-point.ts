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

/** Kills the process here if `SWAS_ARCHIVE_CRASH_AT` names this point. */
export function crashPoint(name: CrashPoint): void {
  if (process.env.SWAS_ARCHIVE_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
