import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import type { RedactionPolicy } from './redaction.js';
import type { TableName } from './schema.js';

/** What committing a snapshot did. */
export interface CommitResult {
  /** The snapshot's id (also when nothing was committed: no rows to write and no cursor to move). */
  snapshotId: string;
  /** Rows written per table; a table without rows is absent. */
  rows: Partial<Record<TableName, number>>;
  /** Observations not written because the archive already held the same state. */
  skipped: number;
  /** Observations of an import not written because their state is not final and they are dated after a final one. */
  stale: number;
  /** Invocations written for the first time. */
  newInvocations: number;
  /** Invocations already archived that were written again with a new state. */
  changedInvocations: number;
  /** Parquet files written. */
  files: number;
  /** The catalog's version after the commit (unchanged when nothing was committed). */
  catalogVersion: number;
  /** Where the commit's time went, in milliseconds: dedupe against the archive, Parquet writing, publishing. */
  timingsMs: { dedupe: number; write: number; publish: number };
}

/** What a snapshot needs of its archive: its settings, its DuckDB connection, and its catalog. */
export interface SnapshotContext {
  root: string;
  con: DuckDBConnection;
  /** The archive's catalog now (the dedupe reads the files it lists). */
  catalog: () => Catalog;
  /** The commit made `catalog` current. */
  onCommitted: (catalog: Catalog) => void;
  /**
   * Holds the right to commit (a shard waits its turn, then the catalog is current); throws when committing
   * is no longer allowed (the writer lost its lock).
   */
  beforeCommit: () => void | Promise<void>;
  /** Runs once the commit is over, committed or not (a shard gives its turn back). */
  endCommit?: () => Promise<void>;
  /** Runs after a commit that published something (the archive compacts when due). */
  afterCommit?: () => Promise<void>;
  /** The snapshot was committed or aborted: the archive may open another. */
  onClosed: () => void;
  /** Redaction applied to every observation. */
  policy: RedactionPolicy;
  /** Schema version written. */
  schemaVersion: number;
  /** Rows per Parquet row group. */
  rowGroupSize: number;
  /** Most bytes of rows one write sorts at once. */
  budgetBytes: number;
}

/** Options of a snapshot. */
export interface SnapshotOptions {
  /**
   * The observations come from dumps rather than the API now: their times may be wrong (a file's
   * modification time), so one of a state that is not final dated at or after a final observation of its
   * invocation is dropped (counted in {@link CommitResult.stale}). The run's `recordsNew` and
   * `recordsChanged` are then the commit's own `newInvocations` and `changedInvocations` (what an import
   * adds is known only once deduped), whatever {@link SnapshotWriter.setRun} was given. @default false
   */
  imported?: boolean;
}
