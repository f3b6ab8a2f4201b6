import type { QuerySession } from '../query-session.js';
import type { ReportCoverage } from '../reports/report-result.js';
import type { ResultColumn } from '../result-column.js';
import {
  coveragePerInstance,
  type ExportFormat,
  type ExportManifest,
  MANIFEST_FORMAT,
  type ManifestFile,
  manifestHash,
} from './export-manifest.js';
import { type ManifestKey, signManifest } from './manifest-signature.js';

/** What an export knows once its files are written: everything its manifest says. */
export interface ManifestFacts {
  session: QuerySession;
  coverage: ReportCoverage;
  scope: { since: Date; until: Date; regions: string[]; instances: string[]; commands: string[] };
  history: boolean;
  query: { view: string; sql: string; orderBy: string[] };
  format: ExportFormat;
  limits: ExportManifest['limits'];
  files: ManifestFile[];
  columns: readonly ResultColumn[];
  /** The redaction policies of the rows written. */
  policies: ReadonlySet<string>;
  toolVersion?: string;
  signKey?: ManifestKey;
}

/** The manifest of an export: what it holds, where from, what it may miss; hashed, and signed when asked. */
export function manifestOf(f: ManifestFacts): ExportManifest {
  const catalog = f.session.catalog;
  const read = snapshotsRead(catalog, f.history, f.scope);
  const unsigned: Omit<ExportManifest, 'manifestSha256'> = {
    format: MANIFEST_FORMAT,
    tool: { name: 'swas-archive', version: f.toolVersion ?? '0.0.0' },
    createdAt: new Date().toISOString(),
    archive: {
      root: f.session.root,
      id: catalog.snapshots[0]?.id ?? null,
      catalogVersion: catalog.version,
      schemaVersion: catalog.schemaVersion,
    },
    query: {
      rows: f.history ? 'history' : 'latest',
      ...f.query,
      filters: { regions: f.scope.regions, instances: f.scope.instances, commands: f.scope.commands },
    },
    period: { since: f.scope.since.toISOString(), until: f.scope.until.toISOString() },
    fileFormat: f.format,
    limits: f.limits,
    columns: f.columns.map((c) => ({ name: c.name, sqlType: c.sqlType })),
    files: f.files,
    totalRows: f.files.reduce((s, file) => s + file.rows, 0),
    snapshots: read.map((s) => ({
      id: s.id,
      kind: s.kind,
      ...(s.runId === undefined ? {} : { runId: s.runId }),
      committedAt: s.committedAt,
      ...(s.redactionPolicyId === undefined ? {} : { redactionPolicyId: s.redactionPolicyId }),
    })),
    redaction: {
      rowPolicies: [...f.policies].sort(),
      snapshotPolicies: [
        ...new Set(read.flatMap((s) => (s.redactionPolicyId ? [s.redactionPolicyId] : []))),
      ].sort(),
    },
    coverage: {
      complete: f.coverage.spanned,
      instances: coveragePerInstance(f.coverage),
      unresolvedGaps: f.coverage.gaps.filter((g) => !g.resolved),
    },
  };
  const manifest: ExportManifest = {
    ...unsigned,
    manifestSha256: manifestHash(unsigned as unknown as Record<string, unknown>),
  };
  if (f.signKey) manifest.signature = signManifest(manifest as unknown as Record<string, unknown>, f.signKey);
  return manifest;
}

/**
 * The snapshots whose files the export reads: those of the exported table's partitions (creation dates)
 * in the period, and of the coverage. Not every snapshot of the archive: that list only grows.
 */
export function snapshotsRead(
  catalog: QuerySession['catalog'],
  history: boolean,
  scope: { since: Date; until: Date },
): QuerySession['catalog']['snapshots'] {
  const latest = !history && catalog.features?.includes('latest-state');
  const table = latest ? 'invocations_latest' : 'invocation_observations';
  const from = scope.since.toISOString().slice(0, 10);
  const to = scope.until.toISOString().slice(0, 10);
  const ids = new Set(
    catalog.files
      .filter((file) => {
        const date = file.partition.date ?? '';
        return file.table === 'coverage' || (file.table === table && date >= from && date <= to);
      })
      .map((file) => file.snapshotId),
  );
  return catalog.snapshots.filter((s) => ids.has(s.id));
}
