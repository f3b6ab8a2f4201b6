import type { Catalog, CatalogFile } from '@swas-archive/archive';
import { parseInstant } from './report-period.js';

const DAY_MS = 86_400_000;

/**
 * The committed files a report over `since`..`until` reads, for a reader that fetches files (an
 * object-store archive): where the archive keeps its latest state, the `invocations_latest` days and
 * `invocations_daily` months of the period and of the one before it (`change` compares the two), a day
 * either side, and every file of the small datasets (`runs`, `coverage`, `instances`); never the
 * observation history. An archive without the latest state is read from its history: every file.
 * Reports read only through `QuerySession.periodSource` / `periodCounts` and those datasets.
 */
export function reportFiles(options: {
  since?: string | Date;
  until?: string | Date;
  now?: Date;
}): (catalog: Catalog) => (file: CatalogFile) => boolean {
  const now = options.now ?? new Date();
  const since = parseInstant(options.since ?? '30d', now, 'since');
  const until = parseInstant(options.until ?? 'now', now, 'until', true);
  const span = Math.max(0, until.getTime() - since.getTime());
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const first = day(since.getTime() - span - DAY_MS);
  const last = day(until.getTime() + DAY_MS);
  return (catalog) => {
    if (!catalog.features?.includes('latest-state')) return () => true;
    return (file) => {
      const date = file.partition.date ?? '';
      switch (file.table) {
        case 'invocation_observations':
          return false;
        case 'invocations_latest':
          return date >= first && date <= last;
        case 'invocations_daily':
          return date >= `${first.slice(0, 7)}-01` && date <= last;
        default:
          return true;
      }
    };
  };
}
