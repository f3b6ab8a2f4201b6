import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import { commitJournal, type JournalFile, newSnapshotId } from './commit-journal.js';
import { LATEST_COLUMNS, latestStateUpdate } from './latest-state.js';
import { ParquetFileWriter, planParts } from './parquet-file-writer.js';
import { SCHEMA_VERSION, TABLES } from './schema.js';
import { tableSelectSql } from './table-sql.js';

/** The feature an archive has once its `invocations_latest` dataset holds every invocation. */
export const LATEST_STATE = 'latest-state';

/** What upgrading an archive to keep its latest state needs. */
export interface UpgradeContext {
  root: string;
  con: DuckDBConnection;
  catalog: Catalog;
  rowGroupSize: number;
  budgetBytes: number;
}

/**
 * Builds the latest-state dataset of an archive written before it existed, from the whole history, in one
 * commit (snapshot kind `upgrade`): partitions a slice at a time within the write budget. Returns the
 * catalog after it, or the same catalog when there is nothing to do.
 */
export async function upgradeLatestState(ctx: UpgradeContext): Promise<Catalog> {
  const observed = ctx.catalog.files.filter((f) => f.table === 'invocation_observations');
  // A new archive gets the feature with its first commit; one that has it needs nothing.
  if (ctx.catalog.features?.includes(LATEST_STATE) || observed.length === 0) return ctx.catalog;
  const snapshotId = newSnapshotId();
  const files: JournalFile[] = [];
  const bytes = new Map<string, number>();
  for (const f of observed)
    bytes.set(f.partition.date ?? '', (bytes.get(f.partition.date ?? '') ?? 0) + f.rows * 300);
  const writer = new ParquetFileWriter(ctx.con, {
    root: ctx.root,
    snapshotId,
    schemaVersion: SCHEMA_VERSION,
    rowGroupSize: ctx.rowGroupSize,
    budgetBytes: ctx.budgetBytes,
  });
  const dates = [...bytes.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const slice of planParts(dates, ctx.budgetBytes / 3)) {
    // The history of the slice's partitions only: each invocation's history lives in its creation date's.
    const history = await tableSelectSql(
      ctx.con,
      ctx.root,
      { ...ctx.catalog, files: observed.filter((f) => slice.dates.includes(f.partition.date ?? '')) },
      'invocation_observations',
    );
    const update = await latestStateUpdate(
      ctx.con,
      { root: ctx.root, catalog: { ...ctx.catalog, files: [] } },
      history,
      TABLES.invocation_observations.columns,
      slice,
    );
    files.push(...(await writer.write(TABLES.invocations_latest, update.select, LATEST_COLUMNS)));
  }
  const rows = files.reduce((n, f) => n + f.rows, 0);
  return commitJournal(ctx.root, {
    snapshot: {
      id: snapshotId,
      kind: 'upgrade',
      committedAt: new Date().toISOString(),
      rows: rows > 0 ? { invocations_latest: rows } : {},
      filesAdded: files.length,
      filesRemoved: 0,
    },
    files,
    remove: [],
    cursors: {},
    features: [LATEST_STATE],
  });
}
