import { join } from 'node:path';
import { ExportUsageError } from '../errors.js';
import type { QuerySession } from '../query-session.js';
import { readCoverage } from '../reports/report-coverage.js';
import { type ReportOptions, resolveScope } from '../reports/report-options.js';
import { IN_SCOPE, scopeParams } from '../reports/report-sql.js';
import type { ResultColumn } from '../result-column.js';
import {
  coveragePerInstance,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type ManifestFile,
  manifestHash,
} from './export-manifest.js';
import { countRows, sha256OfFile } from './file-rows.js';
import { HashedFile } from './hashed-file.js';
import { type ManifestKey, signManifest } from './manifest-signature.js';
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
    let files: ManifestFile[];
    let columns: readonly ResultColumn[];
    let policies: Set<string>;
    if (options.format === 'parquet') {
      // The session names the columns and the redaction policies; DuckDB writes the rows.
      const probe = await session.stream(`${sqlOver(source)} LIMIT 0`, params);
      columns = probe.columns;
      for await (const _ of probe) break;
      policies = await policiesOf(session, source, params);
      const names = await writeParquetParts({
        root: session.root,
        catalog: session.catalog,
        sql: sqlOver(view),
        params,
        folder: staging.path,
        maxRowsPerFile: settings.maxRows,
        maxBytesPerFile: settings.maxBytes,
        memoryLimit: options.memoryLimit,
        fileName,
      });
      files = [];
      for (const path of names) {
        const full = join(staging.path, path);
        const file = { path, rows: await countRows(full, 'parquet'), ...(await sha256OfFile(full)) };
        files.push(file);
        options.onFile?.(file);
      }
    } else {
      const result = await session.stream(sqlOver(source), params);
      columns = result.columns;
      const factory = TEXT_WRITERS[options.format] ?? (await import('./arrow-part.js')).arrowPart;
      ({ files, policies } = await writeSplitFiles(result, columns, {
        folder: staging.path,
        factory,
        maxRows: settings.maxRows,
        maxBytes: settings.maxBytes,
        fileName,
        onFile: options.onFile,
      }));
    }
    const coverage = await readCoverage(session, scope);
    const catalog = session.catalog;
    const unsigned: Omit<ExportManifest, 'manifestSha256'> = {
      format: MANIFEST_FORMAT,
      tool: { name: 'swas-archive', version: options.toolVersion ?? '0.0.0' },
      createdAt: new Date().toISOString(),
      archive: {
        root: session.root,
        id: catalog.snapshots[0]?.id ?? null,
        catalogVersion: catalog.version,
        schemaVersion: catalog.schemaVersion,
      },
      query: {
        rows: history ? 'history' : 'latest',
        view,
        sql: sqlOver(view),
        orderBy,
        filters: { regions: scope.regions, instances: scope.instances, commands: scope.commands },
      },
      period: { since: scope.since.toISOString(), until: scope.until.toISOString() },
      fileFormat: options.format,
      limits: { maxRowsPerFile: settings.maxRows, maxBytesPerFile: settings.maxBytes },
      columns: columns.map((c) => ({ name: c.name, sqlType: c.sqlType })),
      files,
      totalRows: files.reduce((s, f) => s + f.rows, 0),
      snapshots: catalog.snapshots.map((s) => ({
        id: s.id,
        kind: s.kind,
        ...(s.runId === undefined ? {} : { runId: s.runId }),
        committedAt: s.committedAt,
        ...(s.redactionPolicyId === undefined ? {} : { redactionPolicyId: s.redactionPolicyId }),
      })),
      redaction: {
        rowPolicies: [...policies].sort(),
        snapshotPolicies: [
          ...new Set(catalog.snapshots.flatMap((s) => (s.redactionPolicyId ? [s.redactionPolicyId] : []))),
        ].sort(),
      },
      coverage: {
        complete: coverage.complete,
        instances: coveragePerInstance(coverage.windows, coverage.gaps),
        unresolvedGaps: coverage.gaps.filter((g) => !g.resolved),
      },
    };
    const manifest: ExportManifest = {
      ...unsigned,
      manifestSha256: manifestHash(unsigned as unknown as Record<string, unknown>),
    };
    if (options.signKey)
      manifest.signature = signManifest(manifest as unknown as Record<string, unknown>, options.signKey);
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
  // Parquet's limit on rows is checked before anything is written.
  if (options.format === 'parquet') parquetRowGroups(maxRows);
  return { maxRows, maxBytes };
}
