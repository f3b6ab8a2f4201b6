import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog, CatalogFile } from './catalog.js';
import { commitJournal, type JournalFile, newSnapshotId } from './commit-journal.js';
import { LATEST_STATE, type UpgradeContext } from './latest-state-upgrade.js';
import { type ParquetFileTarget, ParquetFileWriter } from './parquet-file-writer.js';
import { SCHEMA_VERSION, TABLES } from './schema.js';
import { sqlString, tableSelectSql } from './table-sql.js';

/** The feature an archive has once its `invocations_daily` dataset counts every invocation of its latest state. */
export const DAILY_COUNTS = 'daily-counts';

const DAILY = TABLES.invocations_daily;

/** The partition (`YYYY-MM-01`: one a month) that holds the counts of a `YYYY-MM-DD` date. */
const monthOf = (date: string): string => `${date.slice(0, 7)}-01`;

/**
 * The daily counts of a SELECT of latest-state rows: per UTC creation day, account, region, instance,
 * command name and type, and status, how many invocations, and the newest creation time among them.
 */
export function dailyCountsSql(latest: string): string {
  // The day by arithmetic on microseconds: a TIMESTAMPTZ's date_trunc goes through ICU, many times slower.
  return `SELECT to_timestamp((epoch_us(creation_time) // 86400000000) * 86400) AS day, account, region_id,
      instance_id, command_name, command_type, invocation_status, count(*)::BIGINT AS invocations,
      max(creation_time) AS last_creation_time
    FROM (${latest}) GROUP BY ALL`;
}

/**
 * Writes the daily counts of the months a commit's new latest state touches: the counts of each touched
 * date computed again from `latest` (the commit's staged latest-state files, which hold every invocation
 * of the dates they touch), the other days of those months as the files they replace held them. Returns
 * the files written and the daily-count files they replace.
 */
export async function writeDailyCounts(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  target: ParquetFileTarget,
  latest: readonly JournalFile[],
): Promise<{ files: JournalFile[]; replaced: CatalogFile[] }> {
  if (latest.length === 0) return { files: [], replaced: [] };
  const dates = [...new Set(latest.map((f) => f.partition.date ?? ''))];
  const months = new Set(dates.map(monthOf));
  const replaced = archive.catalog.files.filter(
    (f) => f.table === DAILY.name && months.has(f.partition.date ?? ''),
  );
  const held = await tableSelectSql(con, archive.root, { ...archive.catalog, files: replaced }, DAILY.name);
  const days = dates.map((d) => `${sqlString(`${d}T00:00:00Z`)}::TIMESTAMPTZ`).join(', ');
  const staged = latest.map((f) => sqlString(join(archive.root, f.staged))).join(', ');
  const select = `SELECT * FROM (${held}) WHERE day NOT IN (${days})
    UNION ALL BY NAME ${dailyCountsSql(`SELECT * FROM read_parquet([${staged}])`)}`;
  const writer = new ParquetFileWriter(con, { ...target, schemaVersion: SCHEMA_VERSION });
  return { files: await writer.write(DAILY, select, DAILY.columns), replaced };
}

/**
 * Builds the daily counts of an archive that keeps its latest state but not them yet (written before
 * they existed), from its latest-state files, a month at a time, in one commit (snapshot kind `upgrade`).
 * Returns the catalog after it, or the same catalog when there is nothing to do.
 */
export async function upgradeDailyCounts(ctx: UpgradeContext): Promise<Catalog> {
  const { catalog } = ctx;
  const latest = catalog.files.filter((f) => f.table === 'invocations_latest');
  // Without the latest state there is nothing to count from yet: the first commit adds both.
  if (catalog.features?.includes(DAILY_COUNTS) || !catalog.features?.includes(LATEST_STATE)) return catalog;
  if (latest.length === 0) return catalog;
  const snapshotId = newSnapshotId();
  const writer = new ParquetFileWriter(ctx.con, {
    root: ctx.root,
    snapshotId,
    schemaVersion: SCHEMA_VERSION,
    rowGroupSize: ctx.rowGroupSize,
    budgetBytes: ctx.budgetBytes,
  });
  const byMonth = new Map<string, CatalogFile[]>();
  for (const f of latest) {
    const month = monthOf(f.partition.date ?? '');
    byMonth.set(month, [...(byMonth.get(month) ?? []), f]);
  }
  const files: JournalFile[] = [];
  for (const [, monthFiles] of [...byMonth].sort(([a], [b]) => a.localeCompare(b))) {
    const select = await tableSelectSql(
      ctx.con,
      ctx.root,
      { ...catalog, files: monthFiles },
      'invocations_latest',
    );
    files.push(...(await writer.write(DAILY, dailyCountsSql(select), DAILY.columns)));
  }
  const rows = files.reduce((n, f) => n + f.rows, 0);
  // Counts the catalog lists without the feature cannot be trusted to be complete: these replace them.
  const remove = catalog.files.filter((f) => f.table === DAILY.name).map((f) => f.path);
  return commitJournal(ctx.root, {
    snapshot: {
      id: snapshotId,
      kind: 'upgrade',
      committedAt: new Date().toISOString(),
      rows: { invocations_daily: rows },
      filesAdded: files.length,
      filesRemoved: remove.length,
    },
    files,
    remove,
    cursors: {},
    features: [DAILY_COUNTS],
  });
}
