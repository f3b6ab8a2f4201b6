import { join } from 'node:path';
import { ExportIncompleteError, ExportUsageError } from '../errors.js';
import type { QuerySession } from '../query-session.js';
import { readCoverage } from '../reports/report-coverage.js';
import { type ReportOptions, resolveScope } from '../reports/report-options.js';
import { IN_SCOPE, scopeParams } from '../reports/report-sql.js';
import type { ResultColumn } from '../result-column.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  MANIFEST_FILE,
  type ManifestFile,
} from './export-manifest.js';
import { countRows, sha256OfFile } from './file-rows.js';
import { HashedFile } from './hashed-file.js';
import { manifestOf } from './manifest-assembly.js';
import type { ManifestKey } from './manifest-signature.js';
import { parquetRowGroups, writeParquetParts } from './parquet-parts.js';
import { csvPart, jsonlPart, type PartWriterFactory } from './part-writers.js';
import { writeSplitFiles } from './split-files.js';
import { createStaging } from './staging-folder.js';

/** Rows per file unless told otherwise. */
export const DEFAULT_MAX_ROWS_PER_FILE = 1_000_000;
/** Bytes per file unless told otherwise: 256 MiB. */
export const DEFAULT_MAX_BYTES_PER_FILE = 256 * 2 ** 20;

/** Options of {@link exportInvocations}. The period and filters are a report's (see {@link ReportOptions}). */
export interface ExportOptions extends ReportOptions {
  /** The folder to create: it must not exist, or be empty. */
  out: string;
  format: ExportFormat;
  /** Every observation (`invocation_history`) instead of each invocation's latest state. @default false */
  history?: boolean;
  /** @default 1,000,000 */
  maxRowsPerFile?: number;
  /**
   * CSV and JSON Lines files never pass it; an Arrow file may by one record batch (2,048 rows), a Parquet
   * file by one row group.
   * @default 256 MiB
   */
  maxBytesPerFile?: number;
  /** Signs the manifest (HMAC-SHA256 or Ed25519). */
  signKey?: ManifestKey;
  /** Written in the manifest. @default '0.0.0' */
  toolVersion?: string;
  /** DuckDB's memory for the Parquet writer. @default '160MB' */
  memoryLimit?: string;
  /** Told each file once it is complete. */
  onFile?: (file: ManifestFile) => void;
}

/** What an export made. */
export interface ExportResult {
  /** The export folder, absolute. */
  out: string;
  manifest: ExportManifest;
}

const TEXT_WRITERS: Partial<Record<ExportFormat, PartWriterFactory>> = { csv: csvPart, jsonl: jsonlPart };

const EXTENSIONS: Record<ExportFormat, string> = {
  csv: 'csv',
  jsonl: 'jsonl',
  parquet: 'parquet',
  arrow: 'arrow',
};

/**
 * Exports the invocations created in a period (each one's latest state, or with `history` every
 * observation) into a new folder: data files split by rows and bytes, and `manifest.json` saying what they
 * hold, where they come from, what they may be missing (the period's coverage, each gap with its reason)
 * and their checksums. Everything is written into `<out>.partial-<random>` first and moved to `out` once
 * complete: an interrupted export leaves nothing that looks finished.
 */
export async function exportInvocations(
  session: QuerySession,
  options: ExportOptions,
): Promise<ExportResult> {
  const settings = checkOptions(options);
  const scope = resolveScope(options);
  const history = options.history === true;
  const source = history ? 'invocation_history' : await session.periodSource(scope.since, scope.until);
  const orderBy = ['account', 'region_id', 'instance_id', 'creation_time', 'invoke_id'];
  if (history) orderBy.push('observed_at');
  const view = history ? 'invocation_history' : 'invocations';
  // The view's own columns, in its order: the period's relation may carry more (the latest-state dataset's).
  const names = (await session.run(`SELECT * FROM ${view} LIMIT 0`)).columns;
  const select = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(', ');
  const sqlOver = (relation: string) =>
    `SELECT ${select} FROM ${relation} WHERE ${IN_SCOPE} ORDER BY ${orderBy.join(', ')}`;
  const params = scopeParams(scope);
  const staging = await createStaging(options.out, session.root);
  try {
    const fileName = (n: number) => `part-${String(n).padStart(5, '0')}.${EXTENSIONS[options.format]}`;
    const split = { folder: staging.path, maxRows: settings.maxRows, maxBytes: settings.maxBytes, fileName };
    let written: { files: ManifestFile[]; columns: readonly ResultColumn[]; policies: Set<string> };
    if (options.format === 'parquet') {
      written = await parquetFiles(session, { sqlOver, source, view, params, ...split }, options);
    } else {
      const result = await session.stream(sqlOver(source), params);
      const factory = TEXT_WRITERS[options.format] ?? (await import('./arrow-part.js')).arrowPart;
      const { files, policies } = await writeSplitFiles(result, result.columns, {
        ...split,
        factory,
        onFile: options.onFile,
      });
      written = { files, policies, columns: result.columns };
      await checkAllArrived(session, `SELECT count(*) AS n FROM ${source} WHERE ${IN_SCOPE}`, params, files);
    }
    const manifest = manifestOf({
      session,
      coverage: await readCoverage(session, scope),
      scope,
      history,
      query: { view, sql: sqlOver(view), orderBy },
      format: options.format,
      limits: { maxRowsPerFile: settings.maxRows, maxBytesPerFile: settings.maxBytes },
      ...written,
      toolVersion: options.toolVersion,
      signKey: options.signKey,
    });
    const manifestFile = await HashedFile.create(join(staging.path, MANIFEST_FILE));
    await manifestFile.write(`${JSON.stringify(manifest, null, 2)}\n`);
    await manifestFile.close();
    await staging.publish();
    return { out: staging.finalPath, manifest };
  } catch (error) {
    await staging.discard();
    throw error;
  }
}

/**
 * Throws {@link ExportIncompleteError} unless the files hold as many rows as the relation: a streamed
 * result that fails part-way ends like a finished one in DuckDB's Node client (its error is dropped).
 */
export async function checkAllArrived(
  session: QuerySession,
  countSql: string,
  params: ReturnType<typeof scopeParams>,
  files: readonly ManifestFile[],
): Promise<void> {
  const written = files.reduce((sum, f) => sum + f.rows, 0);
  const counted = (await session.run(countSql, params)).rows;
  // The count is itself a query: one that came back without its row stopped short too.
  const expected = counted.length === 1 ? Number(counted[0]?.n) : Number.NaN;
  if (written !== expected)
    throw new ExportIncompleteError(
      `the export read ${written} of the ${expected} rows of its period: the query engine ended early (out of memory, or a file of the archive gone); nothing was published — run it again, with a larger --memory-limit if it happens again`,
      written,
      expected,
    );
}

/**
 * The Parquet branch: the session names the columns and the redaction policies, DuckDB writes the rows
 * into parts; each part is then counted and hashed.
 */
async function parquetFiles(
  session: QuerySession,
  q: {
    sqlOver: (relation: string) => string;
    source: string;
    view: string;
    params: ReturnType<typeof scopeParams>;
    folder: string;
    maxRows: number;
    maxBytes: number;
    fileName: (n: number) => string;
  },
  options: ExportOptions,
): Promise<{ files: ManifestFile[]; columns: readonly ResultColumn[]; policies: Set<string> }> {
  const probe = await session.stream(`${q.sqlOver(q.source)} LIMIT 0`, q.params);
  const columns = probe.columns;
  for await (const _ of probe) break;
  const policies = await policiesOf(session, q.source, q.params);
  const names = await writeParquetParts({
    root: session.root,
    catalog: session.catalog,
    sql: q.sqlOver(q.view),
    params: q.params,
    folder: q.folder,
    maxRowsPerFile: q.maxRows,
    maxBytesPerFile: q.maxBytes,
    memoryLimit: options.memoryLimit,
    fileName: q.fileName,
  });
  const files: ManifestFile[] = [];
  for (const path of names) {
    const full = join(q.folder, path);
    const file = { path, rows: await countRows(full, 'parquet'), ...(await sha256OfFile(full)) };
    files.push(file);
    options.onFile?.(file);
  }
  return { files, columns, policies };
}

/** The redaction policies of the rows the export reads (its `redaction_policy` values). */
async function policiesOf(
  session: QuerySession,
  source: string,
  params: ReturnType<typeof scopeParams>,
): Promise<Set<string>> {
  const { rows } = await session.run(
    `SELECT DISTINCT redaction_policy AS p FROM ${source} WHERE ${IN_SCOPE} AND redaction_policy IS NOT NULL`,
    params,
  );
  return new Set(rows.map((r) => String(r.p)));
}

function checkOptions(options: ExportOptions): { maxRows: number; maxBytes: number } {
  if (!EXPORT_FORMATS.includes(options.format))
    throw new ExportUsageError(
      `format must be one of ${EXPORT_FORMATS.join(', ')}; got "${String(options.format)}"`,
      'format',
    );
  const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
  const maxBytes = options.maxBytesPerFile ?? DEFAULT_MAX_BYTES_PER_FILE;
  if (!Number.isInteger(maxRows) || maxRows < 1)
    throw new ExportUsageError(
      `the most rows per file must be an integer >= 1, got ${maxRows}`,
      'maxRowsPerFile',
    );
  if (!Number.isInteger(maxBytes) || maxBytes < 4096)
    throw new ExportUsageError(
      `the most bytes per file must be an integer >= 4096, got ${maxBytes}`,
      'maxBytesPerFile',
    );
  // Before anything is written: a key that cannot sign, Parquet's limit on rows.
  if (options.signKey?.kind === 'ed25519' && !options.signKey.private)
    throw new ExportUsageError(
      'the --sign-key is an Ed25519 public key, which cannot sign: give the private key (the public one is for export verify --key)',
      'signKey',
    );
  if (options.format === 'parquet') parquetRowGroups(maxRows);
  return { maxRows, maxBytes };
}
