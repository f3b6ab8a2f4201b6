import type { CrawlProgress } from '@swas-archive/crawler';
import { MultiBar, type SingleBar } from 'cli-progress';
import type { Logger } from 'pino';

/** How a run's progress is shown: bars on a terminal, a log line every ten seconds elsewhere, or nothing. */
export interface ProgressView {
  update(p: CrawlProgress): void;
  /** Removes the bars (before the run's summary is printed). */
  stop(): void;
}

/** How often progress is logged at most off a terminal. */
const LOG_EVERY_MS = 10_000;

/**
 * The view for where stderr goes: live bars per region when it is a terminal (and not `quiet`), plain log
 * lines when it is not (no control codes in a file or a pipe), nothing when `quiet`.
 */
export function progressView(log: Logger, stream: NodeJS.WriteStream, quiet: boolean): ProgressView {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  return stream.isTTY ? new BarProgress(stream) : new LogProgress(log);
}

/** A log line every ten seconds at most, and the last one. */
class LogProgress implements ProgressView {
  #last = 0;

  constructor(private readonly log: Logger) {}

  update(p: CrawlProgress): void {
    const now = Date.now();
    if (now - this.#last < LOG_EVERY_MS && p.instancesDone < p.instancesTotal) return;
    this.#last = now;
    this.log.info(
      {
        done: `${p.instancesDone}/${p.instancesTotal}`,
        calls: p.callsByAction,
        seen: p.recordsSeen,
        throttles: p.throttles,
        retries: p.retries,
        etaS: p.etaMs === undefined ? undefined : Math.round(p.etaMs / 1000),
      },
      'progress',
    );
  }

  stop(): void {}
}

/** One bar per account and region (instances done of total, calls, throttles, budget waits), and the ETA. */
class BarProgress implements ProgressView {
  readonly #bars: MultiBar;
  readonly #byRegion = new Map<string, SingleBar>();
  #total?: SingleBar;

  constructor(stream: NodeJS.WriteStream) {
    this.#bars = new MultiBar({
      stream,
      format:
        ' {name} [{bar}] {value}/{total} instances · {calls} calls · {throttles} throttled · {waits} · {eta_text}',
      barsize: 20,
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
    });
  }

  update(p: CrawlProgress): void {
    const eta = p.etaMs === undefined ? 'ETA …' : `ETA ${clock(p.etaMs)}`;
    this.#total ??= this.#bars.create(p.instancesTotal, 0, {});
    this.#total.setTotal(Math.max(1, p.instancesTotal));
    this.#total.update(p.instancesDone, {
      name: 'all',
      calls: Object.values(p.callsByAction).reduce((n, c) => n + c, 0),
      throttles: p.throttles,
      waits: `${p.recordsSeen} records read`,
      eta_text: eta,
    });
    for (const r of p.regions) {
      const key = `${r.account}/${r.regionId}`;
      let bar = this.#byRegion.get(key);
      if (!bar) {
        bar = this.#bars.create(r.instancesTotal, 0, {});
        this.#byRegion.set(key, bar);
      }
      bar.setTotal(Math.max(1, r.instancesTotal));
      bar.update(r.instancesDone, {
        name: key,
        calls: r.calls,
        throttles: r.throttles,
        waits: `${clock(r.budgetWaitMs)} waited for budgets`,
        eta_text: '',
      });
    }
  }

  stop(): void {
    this.#bars.stop();
  }
}

/** `1:02:03`, `4:05` */
function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
