import type { Instance } from '@swas-archive/client';
import type { CrawlAccount } from './crawl-options.js';
import type { StoredCursors } from './instance-cursor.js';
import { cursorKey, type InstanceRef } from './instance-ref.js';
import { type CallApi, crawlInstance, type RunContext, recordReleased } from './instance-task.js';
import { instanceObservation } from './record-mapping.js';
import { planRegion } from './region-plan.js';
import { RegionQueue } from './region-queue.js';

/** What crawling one region needs of its run. */
export interface RegionRun {
  run: RunContext;
  cursors: StoredCursors;
  /** Every instance id a listing of the run has shown so far. */
  listedIds: ReadonlySet<string>;
  /** Instances walked at once in a region of `account`. */
  workers(account: string): number;
  /** Whether the run was stopped (told to, on an error, or at its time limit). */
  stopped(): boolean;
}

/**
 * Crawls one listed region: records its instances, plans the run by deadline (quiet instances that can
 * wait are left for a later run), records those found released, then walks the due ones nearest deadline
 * first, busy ones one at a time.
 */
export async function crawlRegion(
  r: RegionRun,
  account: CrawlAccount,
  regionId: string,
  listed: Instance[],
): Promise<void> {
  const run = r.run;
  const only = run.options.instances;
  const wanted = only ? listed.filter((i) => only.includes(i.instanceId)) : listed;
  const observedAt = new Date(run.options.clock.now());
  await run.feeder.instances(wanted.map((i) => instanceObservation(account.name, i, observedAt)));
  run.options.onEvent({ type: 'region', account: account.name, regionId, instances: wanted.length });
  const ref = (instanceId: string): InstanceRef => ({ account: account.name, regionId, instanceId });
  const { clock, retentionMs, recordCap, capScope, runEveryMs, maxDurationMs } = run.options;
  const plan = planRegion(account.name, regionId, wanted, r.cursors, r.listedIds, only, {
    ...{ now: clock.now(), retentionMs, recordCap, capScope, runEveryMs, maxDurationMs },
  });
  const { lifetimeMs, queue: due, deferred } = plan;
  run.options.onEvent({
    ...{ type: 'schedule', account: account.name, regionId, lifetimeMs },
    ...{ due: due.length, deferred: deferred.length },
  });
  const walkedInFull = (i: Instance) => {
    const c = r.cursors.get(cursorKey(ref(i.instanceId)));
    return run.options.full || c?.windowEnd === undefined || c.order === 'unordered';
  };
  const full = due.filter((s) => walkedInFull(s.item)).length;
  run.tally.estimate.planned(account.name, regionId, due.length - full, full);
  run.tally.planned(account.name, regionId, due.length + plan.released.length);
  for (const id of plan.released) {
    await recordReleased(run, ref(id), r.cursors.get(cursorKey(ref(id))));
    run.tally.done(account.name, regionId);
  }
  const workers = r.workers(account.name);
  const queue = new RegionQueue(due);
  const stopped = r.stopped;
  await Promise.all(
    Array.from({ length: Math.min(workers, due.length) }, async () => {
      for (let next = await queue.take(stopped); next; next = await queue.take(stopped)) {
        const where = ref(next.item.instanceId);
        try {
          await crawlInstance(run, account, where, r.cursors.get(cursorKey(where)), plan.ageBound);
        } finally {
          queue.done(next);
        }
      }
    }),
  );
}

/** Instances per `ListInstances` page: the API's maximum. */
const INSTANCE_PAGE_SIZE = 100;

/** Listings of a region after the first, at most, while its instances keep changing under the paging. */
const MAX_EXTRA_LISTINGS = 3;

/**
 * Every instance of a region, each once. One page is one answer, taken at once. Over several pages, an
 * instance released between two calls shifts the later ones back by one, so the next page starts past an
 * instance that no answer showed: the region is listed again, keeping every instance any listing showed,
 * until a listing shows exactly the instances of the one before (at most {@link MAX_EXTRA_LISTINGS} more
 * times). One still missed is found by the next run (a released one is then in no listing, and no call could
 * show it).
 */
export async function listInstances(
  call: CallApi,
  account: CrawlAccount,
  regionId: string,
): Promise<Instance[]> {
  const all = new Map<string, Instance>();
  let previous: Set<string> | undefined;
  for (let listing = 0; listing <= MAX_EXTRA_LISTINGS; listing++) {
    const { ids, pages } = await listOnce(call, account, regionId, all);
    if (pages === 1 || (previous && sameIds(previous, ids))) break;
    previous = ids;
  }
  return [...all.values()];
}

/** One listing, page by page: the ids it showed, and how many pages it took (the instances go into `into`). */
async function listOnce(
  call: CallApi,
  account: CrawlAccount,
  regionId: string,
  into: Map<string, Instance>,
): Promise<{ ids: Set<string>; pages: number }> {
  const ids = new Set<string>();
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await call(account.name, regionId, 'ListInstances', Number.POSITIVE_INFINITY, () =>
      account.api.listInstances({ regionId, pageNumber, pageSize: INSTANCE_PAGE_SIZE }),
    );
    for (const i of page.items) {
      ids.add(i.instanceId);
      into.set(i.instanceId, i);
    }
    if (page.items.length < INSTANCE_PAGE_SIZE || pageNumber * INSTANCE_PAGE_SIZE >= page.totalCount)
      return { ids, pages: pageNumber };
  }
}

const sameIds = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((id) => b.has(id));
