import {
  type Archive,
  checkArchiveRoot,
  isStoreUrl,
  type LockOwner,
  openArchive,
  type RedactionPolicy,
  type VerifyReport,
} from '@swas-archive/archive';
import { createSwasClient, type StaticCredentials } from '@swas-archive/client';
import {
  type BudgetOptions,
  type Clock,
  type CrawlAccount,
  type CrawlEvent,
  type CrawlProgress,
  type CrawlReport,
  crawl,
  type RetryOptions,
} from '@swas-archive/crawler';
import { type ArchiveStatus, archiveStatus } from './archive-status.js';
import { metricsText, writeMetricsFile } from './metrics.js';
import { type StorePublish, storeArchiveJob } from './store-archive.js';

/** Where one account's credentials come from: keys given, a named profile, else the default chain. */
export interface AccountSource {
  /** Stored with every row; for a profile, its name by default. */
  name: string;
  /** A profile of the aliyun CLI config or the credentials file. @default the default credential chain */
  profile?: string;
  /** Keys given directly (the emulator's, a secrets store's); never from a flag. */
  credentials?: StaticCredentials;
}

/** Options of {@link archiveJob}. */
export interface ArchiveJobOptions {
  /** The archive's folder, absolute, or an object-store archive `s3://bucket/prefix` / `oss://bucket/prefix` (see store-archive.ts). */
  root: string;
  /** Where an object-store archive's settings come from (`AWS_ENDPOINT_URL`, `OSS_REGION`, keys, `SWAS_ARCHIVE_CACHE`). @default process.env */
  storeEnv?: NodeJS.ProcessEnv;
  /** Uploads of lost or crashed commits, and retired files, are removed from a store this long after. @default 1 h */
  orphanGraceMs?: number;
  /** The accounts to archive. */
  accounts: readonly AccountSource[];
  /** One endpoint for every region (the emulator, a private endpoint). @default the regional endpoints */
  endpoint?: string;
  /** Time allowed for one API call, ms. @default the client's (20000) */
  timeoutMs?: number;
  /** Retries of transient failures. @default the crawler's (6 attempts, 500 ms base, 30 s cap) */
  retry?: RetryOptions;
  regions?: readonly string[];
  instances?: readonly string[];
  /**
   * Worker `index` of `count` sharing the archive: crawls only its (account, region)s (see `shardOf` of the
   * crawler) and commits in turns with the other shards. @default one worker, the whole fleet
   */
  shard?: { index: number; count: number };
  withResults?: boolean;
  full?: boolean;
  budgets?: BudgetOptions;
  commitEvery?: number;
  commitIntervalMs?: number;
  retentionMs?: number;
  redaction?: RedactionPolicy;
  /** A partition with this many files is compacted after the commit that made it so. @default 16 */
  compactAbove?: number;
  /** Checks the files this run committed (checksums, row counts) before it ends. @default true */
  verifyWritten?: boolean;
  /** Writes the run's metrics there, in the Prometheus text format, atomically. @default none */
  metricsFile?: string;
  onProgress?: (progress: CrawlProgress) => void;
  /** Crawl events, and `recovered` when opening the archive finished or discarded a crashed run's commits. */
  onEvent?: (event: ArchiveJobEvent) => void;
  /** Stops the job: what was read is committed, and the next run goes on from there. */
  signal?: AbortSignal;
  /** Longest the crawl may take, ms (`--max-duration`): it stops with cursors the next run goes on from. */
  maxDurationMs?: number;
  /** How often the job runs, ms (`--every`): quiet instances are then checked only as often as needed. */
  runEveryMs?: number;
  /** Records the service keeps at most. @default 100000 */
  recordCap?: number;
  /** Whether the cap counts per region or per account. @default 'account' */
  capScope?: 'region' | 'account';
  /** The crawl's clock (a simulation's). @default the real clock */
  clock?: Clock;
}

/** What the archive job tells as it goes. */
export type ArchiveJobEvent =
  | CrawlEvent
  | { type: 'recovered'; completed: string[]; discarded: string[] }
  | { type: 'archive-opened'; root: string }
  /** The archive's lock was held by a process that died on this host: taken over at once. */
  | { type: 'lock-taken-over'; from: LockOwner };

/** What the archive job did. */
export interface ArchiveJobResult {
  report: CrawlReport;
  /** Whether the archive was opened (a run that could not start creates none). */
  archiveOpened: boolean;
  /** The check of the files this run committed (when it committed any and `verifyWritten`). */
  verify?: VerifyReport;
  /** What a run on an object-store archive published (undefined for a folder). */
  published?: StorePublish;
  /** Where the archive stands after the run (read for the metrics). */
  status?: ArchiveStatus;
}

/**
 * The scheduled archival job: crawls every configured account into the archive at `root`. The archive is
 * opened (and created) only once every account has answered, so that a run that cannot start leaves
 * nothing behind; it is closed (and its lock released) in every case.
 */
export async function archiveJob(options: ArchiveJobOptions): Promise<ArchiveJobResult> {
  if (isStoreUrl(options.root)) return storeArchiveJob(options, archiveJob);
  // A path that cannot hold an archive is said before any call is made.
  await checkArchiveRoot(options.root);
  const accounts: CrawlAccount[] = options.accounts.map((a) => ({
    name: a.name,
    api: createSwasClient({
      endpoint: options.endpoint,
      profile: a.profile,
      credentials: a.credentials,
      timeoutMs: options.timeoutMs,
    }),
  }));
  let archive: Archive | undefined;
  const open = async (): Promise<Archive> => {
    archive = await openArchive({
      root: options.root,
      redaction: options.redaction,
      compactAbove: options.compactAbove,
      shard: options.shard,
    });
    const from = archive.lockTakenOverFrom;
    if (from) options.onEvent?.({ type: 'lock-taken-over', from });
    const { completed, discarded } = archive.recovery;
    const leftovers = discarded.filter((d) => !d.startsWith('duckdb-spill'));
    if (completed.length > 0 || leftovers.length > 0)
      options.onEvent?.({ type: 'recovered', completed, discarded: leftovers });
    options.onEvent?.({ type: 'archive-opened', root: archive.root });
    return archive;
  };
  let report: CrawlReport;
  let verify: VerifyReport | undefined;
  try {
    report = await crawl({
      accounts,
      archive: open,
      regions: options.regions,
      instances: options.instances,
      shard: options.shard,
      withResults: options.withResults,
      full: options.full,
      budgets: options.budgets,
      commitEvery: options.commitEvery,
      commitIntervalMs: options.commitIntervalMs,
      retry: options.retry,
      retentionMs: options.retentionMs,
      onProgress: options.onProgress,
      onEvent: options.onEvent,
      signal: options.signal,
      maxDurationMs: options.maxDurationMs,
      runEveryMs: options.runEveryMs,
      recordCap: options.recordCap,
      capScope: options.capScope,
      clock: options.clock,
    });
    if (archive && (options.verifyWritten ?? true)) verify = await verifyRun(archive, report.runId);
  } finally {
    await archive?.close();
  }
  if (!archive || !options.metricsFile) return { report, archiveOpened: archive !== undefined, verify };
  const retentionMs = options.retentionMs ?? 14 * 86_400_000;
  const status = await archiveStatus(options.root, report.finishedAt, {
    retentionMs,
    recordCap: options.recordCap,
    capScope: options.capScope,
  });
  await writeMetricsFile(options.metricsFile, await metricsText(report, status, retentionMs));
  return { report, archiveOpened: true, verify, status };
}

/** Checks the files the run's snapshots committed (and what compaction made of them is checked as written). */
async function verifyRun(archive: Archive, runId: string): Promise<VerifyReport | undefined> {
  const snapshots = new Set(archive.catalog.snapshots.filter((s) => s.runId === runId).map((s) => s.id));
  if (snapshots.size === 0) return undefined;
  return archive.verify({ snapshots });
}
