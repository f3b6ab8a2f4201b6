import { type Archive, checkArchiveRoot, openArchive, type RedactionPolicy } from '@swas-archive/archive';
import { createSwasClient, type StaticCredentials } from '@swas-archive/client';
import {
  type BudgetOptions,
  type CrawlAccount,
  type CrawlEvent,
  type CrawlProgress,
  type CrawlReport,
  crawl,
} from '@swas-archive/crawler';

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
  /** The archive's folder, absolute. */
  root: string;
  /** The accounts to archive. */
  accounts: readonly AccountSource[];
  /** One endpoint for every region (the emulator, a private endpoint). @default the regional endpoints */
  endpoint?: string;
  /** Time allowed for one API call, ms. @default the client's (20000) */
  timeoutMs?: number;
  regions?: readonly string[];
  instances?: readonly string[];
  withResults?: boolean;
  full?: boolean;
  budgets?: BudgetOptions;
  commitEvery?: number;
  commitIntervalMs?: number;
  retentionMs?: number;
  redaction?: RedactionPolicy;
  onProgress?: (progress: CrawlProgress) => void;
  /** Crawl events, and `recovered` when opening the archive finished or discarded a crashed run's commits. */
  onEvent?: (event: ArchiveJobEvent) => void;
  /** Stops the job: what was read is committed, and the next run goes on from there. */
  signal?: AbortSignal;
}

/** What the archive job tells as it goes. */
export type ArchiveJobEvent =
  | CrawlEvent
  | { type: 'recovered'; completed: string[]; discarded: string[] }
  | { type: 'archive-opened'; root: string };

/** What the archive job did. */
export interface ArchiveJobResult {
  report: CrawlReport;
  /** Whether the archive was opened (a run that could not start creates none). */
  archiveOpened: boolean;
}

/**
 * The scheduled archival job: crawls every configured account into the archive at `root`. The archive is
 * opened (and created) only once every account has answered, so that a run that cannot start leaves
 * nothing behind; it is closed (and its lock released) in every case.
 */
export async function archiveJob(options: ArchiveJobOptions): Promise<ArchiveJobResult> {
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
    archive = await openArchive({ root: options.root, redaction: options.redaction });
    const { completed, discarded } = archive.recovery;
    const leftovers = discarded.filter((d) => d !== 'duckdb-spill');
    if (completed.length > 0 || leftovers.length > 0)
      options.onEvent?.({ type: 'recovered', completed, discarded: leftovers });
    options.onEvent?.({ type: 'archive-opened', root: archive.root });
    return archive;
  };
  try {
    const report = await crawl({
      accounts,
      archive: open,
      regions: options.regions,
      instances: options.instances,
      withResults: options.withResults,
      full: options.full,
      budgets: options.budgets,
      commitEvery: options.commitEvery,
      commitIntervalMs: options.commitIntervalMs,
      retentionMs: options.retentionMs,
      onProgress: options.onProgress,
      onEvent: options.onEvent,
      signal: options.signal,
    });
    return { report, archiveOpened: archive !== undefined };
  } finally {
    await archive?.close();
  }
}
