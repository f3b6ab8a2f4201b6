import type { Logger } from 'pino';
import { EXIT } from '../exit-codes.js';

/**
 * SIGINT and SIGTERM stop the run gracefully: what was read is committed and the lock released. The same
 * signal again stops the process at once (the next run takes the lock over and goes on).
 */
export function stopOnSignals(log: Logger): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn(`${signal} again: stopping at once`);
      process.exit(signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    }
    log.warn(`${signal}: committing what was read, then stopping (${signal} again stops at once)`);
    stop.abort(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
