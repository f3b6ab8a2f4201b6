import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The archive's `LAUNCHER_PID_ENV`, written out: the launcher loads nothing but Node's own modules. A lock
 * taken under it names the launcher, so that a `kill -9` of the launcher frees the lock at once.
 */
export const LAUNCHER_PID_ENV = 'SWAS_ARCHIVE_LAUNCHER_PID';

// Only node: built-ins here: the launching process loads nothing else, so it stays small (it lives as long
// as the crawl, and its memory counts against the same container limit).

/**
 * The V8 heap a crawl runs in: its live data is a few tens of megabytes (what each instance walk keeps,
 * the records waiting to be staged), but with Node's defaults V8 lets garbage grow the heap to several
 * hundred megabytes before it collects. Measured by `pnpm bench crawl-memory`.
 */
export const CRAWL_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=4'] as const;

/** glibc's malloc arenas for DuckDB's and libuv's threads: each keeps freed memory of its own. */
export const CRAWL_MALLOC_ARENAS = '2';

/** Set in the relaunched process: it must not relaunch again, and it tells its launcher of signals. */
const MARK = 'SWAS_ARCHIVE_RELAUNCHED';

/** Whether `argv` names a command that crawls (and so holds a run's state and DuckDB's staging at once). */
const crawls = (argv: readonly string[]) =>
  argv[0] === 'crawl' || argv[0] === 'demo' || (argv[0] === 'run' && argv[1] === 'archive');

/** Whether the user set the V8 heap themselves (on the command line or in NODE_OPTIONS). */
export function userSetHeap(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((f) => /^--max[-_](old|semi)[-_]space[-_]size\b/.test(f));
}

/**
 * Whether this process should run the command in a child with the flags a crawl needs: a crawling command,
 * not already relaunched, and no heap setting of the user's.
 */
export function shouldRelaunch(argv: readonly string[], env: NodeJS.ProcessEnv, execArgv: readonly string[]) {
  if (env[MARK] !== undefined) return false;
  return crawls(argv) && !userSetHeap(execArgv, env.NODE_OPTIONS);
}

/**
 * Runs this same script in a child process with {@link CRAWL_NODE_FLAGS} (and few malloc arenas unless the
 * user chose), with the same arguments and standard streams, and resolves with the status to exit with.
 *
 * Signals: a terminal's Ctrl-C (and systemd's stop) reaches both processes, while `kill PID`, Kubernetes and
 * `timeout` reach this one only. The child says over IPC which signals it got; one it did not get within a
 * moment is forwarded, so it sees each signal once (a second one still stops it at once). The child dies
 * with this process (see {@link watchLauncher}), as a process killed outright would.
 */
export async function relaunch(script: string, argv: readonly string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [MARK]: '1', [LAUNCHER_PID_ENV]: String(process.pid) };
  env.MALLOC_ARENA_MAX ??= CRAWL_MALLOC_ARENAS;
  const child = spawn(process.execPath, [...process.execArgv, ...CRAWL_NODE_FLAGS, script, ...argv], {
    env,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const told: NodeJS.Signals[] = [];
  child.on('message', (m: unknown) => {
    const signal = (m as { signal?: NodeJS.Signals } | null)?.signal;
    if (signal) told.push(signal);
  });
  const forward = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      const at = told.indexOf(signal);
      if (at >= 0) told.splice(at, 1);
      else child.kill(signal);
    }, 500);
    child.once('exit', () => clearTimeout(timer));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  for (const s of signals) process.off(s, forward);
  // Stopped by a signal (an OOM kill, a kill -9): die of the same signal, as the process the caller started;
  // otherwise the status a shell would show, 128 + its number.
  // Only the stops a caller sends (a crash's SIGSEGV or SIGABRT re-raised here would dump a second core).
  if (signal && ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'].includes(signal))
    process.kill(process.pid, signal);
  return code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * In a relaunched process: tells the launcher of each stop signal this process got (so that it does not
 * forward the same one again), and dies at once when the launcher is gone (killed outright: so is the run).
 */
export function watchLauncher(): void {
  if (process.env[MARK] === undefined || !process.send) return;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const tell = () => {
      process.send?.({ signal: s }, undefined, {}, () => undefined);
      // Alone, a listener would keep the process alive where Node's default would end it: do as the default.
      if (process.listenerCount(s) === 1) {
        process.off(s, tell);
        process.kill(process.pid, s);
      }
    };
    process.on(s, tell);
  }
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  // The channel must not keep the process alive once the command is done.
  process.channel?.unref();
}
