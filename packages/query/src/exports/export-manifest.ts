import { createHash } from 'node:crypto';
import type { ReportCoverage, ReportGap } from '../reports/report-result.js';

/** The manifest's format name; a reader refuses any other. */
export const MANIFEST_FORMAT = 'swas-archive-export/1';

/** The manifest's file name in an export folder. */
export const MANIFEST_FILE = 'manifest.json';

/** The file formats an export writes. */
export type ExportFormat = 'csv' | 'jsonl' | 'parquet' | 'arrow';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl', 'parquet', 'arrow'];

/** One data file of an export. */
export interface ManifestFile {
  /** Relative to the export folder, `/`-separated. */
  path: string;
  rows: number;
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** The coverage of the period for one instance in scope. */
export interface InstanceCoverage {
  account: string;
  region_id: string;
  instance_id: string;
  /** Creation times proven complete, merged and clipped to the period. */
  windows: { start: string; end: string }[];
  /** Creation times read but not proven complete (imports: "imported, completeness unknown"), with why. */
  unproven: { start: string; end: string; detail: string | null }[];
  /** Parts of the period no proven window covers (nothing is claimed after the newest one). */
  uncovered: { start: string; end: string }[];
  /** Every gap of the instance that overlaps the period, with its reason; unresolved first. */
  gaps: Omit<ReportGap, 'account' | 'region_id' | 'instance_id'>[];
}

/** A snapshot the export read: one that wrote a file of the exported table in the period's partitions, or of the coverage. */
export interface ManifestSnapshot {
  id: string;
  kind: string;
  runId?: string;
  committedAt: string;
  redactionPolicyId?: string;
}

/** A signature of the manifest: over its canonical form without `manifestSha256` and `signature`. */
export interface ManifestSignature {
  /** `hmac-sha256` (a shared key) or `ed25519` (a key pair). */
  algorithm: 'hmac-sha256' | 'ed25519';
  /** For Ed25519: hex SHA-256 of the public key (DER, SPKI), so an auditor can tell which key signed. */
  keyId?: string;
  /** Base64 of the MAC or signature. */
  value: string;
}

/**
 * What an export folder holds and where it came from, in `manifest.json`. It describes itself:
 * `manifestSha256` is the hex SHA-256 of {@link canonicalJson} of the manifest without `manifestSha256`
 * and `signature`, so any edit shows without a key; `signature`, when signed, is over the same bytes.
 */
export interface ExportManifest {
  format: typeof MANIFEST_FORMAT;
  tool: { name: 'swas-archive'; version: string };
  /** When the export was made, ISO-8601 UTC. */
  createdAt: string;
  archive: {
    /** The archive folder, absolute, on the machine that exported. */
    root: string;
    /** The id of its first snapshot: the same archive keeps it for life, copies included. */
    id: string | null;
    /** The catalog version read: the export is the archive as of that commit. */
    catalogVersion: number;
    schemaVersion: number;
  };
  query: {
    /** `latest`: each invocation's latest state (with its latest result); `history`: every observation. */
    rows: 'latest' | 'history';
    /** The view read: `invocations` or `invocation_history`. */
    view: string;
    /** The SELECT run, with its parameters named `$since` … (values in `period` and `filters`). */
    sql: string;
    orderBy: string[];
    filters: { regions: string[]; instances: string[]; commands: string[] };
  };
  /** Creation times exported: from `since` (inclusive) to `until` (exclusive), ISO-8601 UTC. */
  period: { since: string; until: string };
  fileFormat: ExportFormat;
  /** The limits files were split by. */
  limits: { maxRowsPerFile: number; maxBytesPerFile: number };
  columns: { name: string; sqlType: string }[];
  files: ManifestFile[];
  totalRows: number;
  snapshots: ManifestSnapshot[];
  /** The redaction policies of the rows exported (from their `redaction_policy`), and of the snapshots read. */
  redaction: { rowPolicies: string[]; snapshotPolicies: string[] };
  coverage: {
    /**
     * Whether the period is proven complete: some instance is in scope, every one has windows proven
     * complete from the start of the period to its newest proof, and no unresolved gap overlaps it.
     */
    complete: boolean;
    instances: InstanceCoverage[];
    /** The unresolved gaps, flattened (empty when complete). */
    unresolvedGaps: ReportGap[];
  };
  manifestSha256: string;
  signature?: ManifestSignature;
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level and no white space: the bytes the
 * manifest's hash and signature are computed over. Numbers are the manifest's integers and JSON's own form.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The bytes a manifest's hash and signature cover: itself without `manifestSha256` and `signature`. */
export function signedBytes(manifest: Record<string, unknown>): Buffer {
  const { manifestSha256: _hash, signature: _signature, ...rest } = manifest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** The hex SHA-256 a manifest must carry in `manifestSha256`. */
export function manifestHash(manifest: Record<string, unknown>): string {
  return createHash('sha256').update(signedBytes(manifest)).digest('hex');
}

/** The coverage of the report, per instance, as the manifest keeps it. */
export function coveragePerInstance(coverage: ReportCoverage): InstanceCoverage[] {
  const byInstance = new Map<string, InstanceCoverage>();
  const entry = (r: { account: string; region_id: string; instance_id: string }): InstanceCoverage => {
    const key = `${r.account}\u0000${r.region_id}\u0000${r.instance_id}`;
    let e = byInstance.get(key);
    if (!e) {
      e = {
        account: r.account,
        region_id: r.region_id,
        instance_id: r.instance_id,
        windows: [],
        unproven: [],
        uncovered: [],
        gaps: [],
      };
      byInstance.set(key, e);
    }
    return e;
  };
  for (const w of coverage.windows) entry(w).windows.push({ start: w.window_start, end: w.window_end });
  for (const w of coverage.unproven)
    entry(w).unproven.push({ start: w.window_start, end: w.window_end, detail: w.detail });
  for (const w of coverage.uncovered) entry(w).uncovered.push({ start: w.window_start, end: w.window_end });
  for (const { account: _a, region_id: _r, instance_id: _i, ...gap } of coverage.gaps) {
    entry({ account: _a, region_id: _r, instance_id: _i }).gaps.push(gap);
  }
  return [...byInstance.values()].sort((a, b) =>
    `${a.account}/${a.region_id}/${a.instance_id}` < `${b.account}/${b.region_id}/${b.instance_id}` ? -1 : 1,
  );
}
