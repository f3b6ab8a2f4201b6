import { resolve } from 'node:path';
import { ArchiveUsageError } from './errors.js';
import { NO_REDACTION, type RedactionPolicy, validateRedactionPolicy } from './redaction.js';
import { SCHEMA_VERSION } from './schema.js';
import { type ArchiveShard, checkShard } from './shard-lease.js';

/** Options of `openArchive`. */
export interface ArchiveOptions {
  /** The archive's folder; created if missing. */
  root: string;
  /** Applied to every observation written. @default no redaction (policy id `none`) */
  redaction?: RedactionPolicy;
  /**
   * Rows per Parquet row group: one group spans several days of a busy fleet, so a trend query over a
   * month reads few groups and a lookup by instance prunes on statistics (see the package README).
   * At least 1000.
   * @default 100000
   */
  rowGroupSize?: number;
  /** Schema version to write (an older one for readers that predate a column). @default the current one */
  schemaVersion?: number;
  /**
   * A lock not refreshed for this long is stale (its writer died) and may be taken over. `proper-lockfile`
   * raises anything below 2000 to 2000.
   * @default 30000
   */
  lockStaleMs?: number;
  /**
   * DuckDB's memory limit for staging and sorting (it spills to `_staging/duckdb-spill` beyond it), e.g.
   * `'1GB'`, at least 128MB. The default keeps a crawler within a few hundred megabytes; writes of
   * any size fit in it, cut into parts of a third of it.
   * @default '128MB'
   */
  memoryLimit?: string;
  /**
   * DuckDB's threads for staging, sorting and writing Parquet. Each thread keeps buffers and malloc memory
   * of its own, and DuckDB would start one per core of the host (not of the container): a few keep a crawl
   * within a few hundred megabytes on any machine. At least 1.
   * @default 2
   */
  threads?: number;
  /**
   * A partition with this many files or more is compacted into few after the commit that made it so
   * (within the commit protocol, as a commit of its own). 0 turns it off.
   * @default 16
   */
  compactAbove?: number;
  /**
   * This writer is one shard of a split crawl sharing the root: it holds the lease of its shard for the
   * whole run and the writer lock only while it commits, waiting its turn behind the other shards (see the
   * package README, "Shards"). @default none: one writer holds the lock for its whole run
   */
  shard?: ArchiveShard;
}

/** {@link ArchiveOptions} with the root made absolute, the defaults filled in and every value checked. */
export type ArchiveSettings = Required<Omit<ArchiveOptions, 'shard'>> & {
  shard?: ArchiveShard;
  /** Most bytes of rows one write sorts at once: a third of the memory limit (see `ParquetFileWriter`). */
  writeBudgetBytes: number;
};

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `'128MB'` → 128000000, as DuckDB reads a memory limit; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  return m && unit ? Number(m[1]) * unit : undefined;
}

/** Fills in the defaults and checks the options; throws {@link ArchiveUsageError} saying how to fix one. */
export function resolveArchiveOptions(options: ArchiveOptions): ArchiveSettings {
  const root = resolve(options.root);
  const redaction = validateRedactionPolicy(options.redaction ?? NO_REDACTION);
  const rowGroupSize = options.rowGroupSize ?? 100_000;
  const schemaVersion = options.schemaVersion ?? SCHEMA_VERSION;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1000) {
    throw new ArchiveUsageError(
      `Expected \`rowGroupSize\` to be an integer >= 1000, got ${options.rowGroupSize}`,
      root,
    );
  }
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > SCHEMA_VERSION) {
    throw new ArchiveUsageError(
      `Expected \`schemaVersion\` from 1 to ${SCHEMA_VERSION}, got ${options.schemaVersion}`,
      root,
    );
  }
  const memoryLimit = options.memoryLimit ?? '128MB';
  const memoryBytes = parseByteSize(memoryLimit);
  if (memoryBytes === undefined || memoryBytes < 128e6) {
    throw new ArchiveUsageError(
      `Expected \`memoryLimit\` to be a size of at least 128MB such as '128MB' or '1GB', got ${String(options.memoryLimit)}`,
      root,
    );
  }
  if (options.shard) checkShard(options.shard, root);
  return {
    root,
    shard: options.shard,
    redaction,
    rowGroupSize,
    schemaVersion,
    lockStaleMs: options.lockStaleMs ?? 30_000,
    memoryLimit,
    threads: checkThreads(options.threads, root),
    compactAbove: checkCompactAbove(options.compactAbove, root),
    writeBudgetBytes: Math.floor(memoryBytes / 3),
  };
}

function checkCompactAbove(value: number | undefined, root: string): number {
  const n = value ?? 16;
  if (!Number.isInteger(n) || n < 0 || n === 1) {
    throw new ArchiveUsageError(
      `Expected \`compactAbove\` to be 0 (never) or an integer >= 2, got ${String(value)}`,
      root,
    );
  }
  return n;
}

function checkThreads(value: number | undefined, root: string): number {
  const n = value ?? 2;
  if (!Number.isInteger(n) || n < 1) {
    throw new ArchiveUsageError(`Expected \`threads\` to be an integer >= 1, got ${String(value)}`, root);
  }
  return n;
}
