import { join } from 'node:path';
import {
  type ExportFormat,
  type ExportManifest,
  exportInvocations,
  QuerySession,
  type ReportGap,
  readManifestKey,
  type SessionLimits,
} from '@swas-archive/query';
import { requireArchive } from './job-files.js';
import { jobPeriod } from './job-period.js';

/** Options of {@link complianceExportJob}. */
export interface ComplianceExportJobOptions {
  /** The archive's folder, absolute. */
  root: string;
  /** The folder the export folder is made in (created when missing), absolute. */
  out: string;
  /** @default 'parquet' */
  format?: ExportFormat;
  /** The export covers the `days` whole days before `until`, unless `since` is given. @default 1 */
  days?: number;
  /** Start, overriding `days`: a `Date`, `2026-11-01`, an ISO time, or a span back from now (`30d`). */
  since?: Date | string;
  /**
   * End (exclusive): a `Date`, `2026-11-14` (that day included), an ISO time, or `now`.
   * @default this UTC day's midnight: whole days only, none still being written
   */
  until?: Date | string;
  /** Every observation (`invocation_history`), not each invocation's latest state. @default false */
  history?: boolean;
  regions?: readonly string[];
  instances?: readonly string[];
  commands?: readonly string[];
  /** @default 1,000,000 */
  maxRowsPerFile?: number;
  /** @default 256 MiB */
  maxBytesPerFile?: number;
  /** Signs the manifest with this key file: an HMAC key (>= 32 bytes) or an Ed25519 private key (PEM). */
  signKeyFile?: string;
  /** Written in the manifest. @default '0.0.0' */
  toolVersion?: string;
  /** DuckDB's memory and threads. @default 160MB, 1 thread */
  limits?: SessionLimits;
  /** What "now" is. @default new Date() */
  now?: Date;
}

/** What {@link complianceExportJob} made. */
export interface ComplianceExportJobResult {
  /** The export folder, `compliance-<first day>--<last day>`, absolute. */
  folder: string;
  manifest: ExportManifest;
  /**
   * Gaps in the period that no later run covered (in the manifest too): invocations may be missing.
   */
  unresolvedGaps: ReportGap[];
  /**
   * The period is proven complete (the manifest's `coverage.complete`): no unresolved gap, and every part
   * of it covered by a crawl (not only imported, not a stopped run). Whether an incomplete one fails the
   * job is the caller's rule: the CLI exits 4, as `export` does, unless `--allow-gaps`.
   */
  complete: boolean;
}

/**
 * The compliance-export job: the invocations created in a period (by default the whole UTC day before
 * today) exported into a new folder `compliance-<first day>--<last day>` under `out`, as data files and a
 * `manifest.json` with their checksums, the snapshots read, the redaction policies and the period's
 * coverage per instance, signed when a key is given. The folder is written beside its final name and
 * renamed when complete; an export folder already there is never touched (the job refuses, exit 2).
 */
export async function complianceExportJob(
  options: ComplianceExportJobOptions,
): Promise<ComplianceExportJobResult> {
  const now = options.now ?? new Date();
  const period = jobPeriod({
    days: options.days ?? 1,
    since: options.since,
    until: options.until,
    untilDefault: 'today',
    now,
  });
  await requireArchive(options.root);
  const signKey = options.signKeyFile ? await readManifestKey(options.signKeyFile, 'signKey') : undefined;
  const session = await QuerySession.open(options.root, options.limits);
  try {
    const { out, manifest } = await exportInvocations(session, {
      out: join(options.out, `compliance-${period.firstDay}--${period.lastDay}`),
      format: options.format ?? 'parquet',
      since: period.since,
      until: period.until,
      now,
      regions: options.regions,
      instances: options.instances,
      commands: options.commands,
      history: options.history,
      maxRowsPerFile: options.maxRowsPerFile,
      maxBytesPerFile: options.maxBytesPerFile,
      signKey,
      toolVersion: options.toolVersion,
      memoryLimit: options.limits?.memoryLimit,
    });
    const { unresolvedGaps, complete } = manifest.coverage;
    return { folder: out, manifest, unresolvedGaps, complete };
  } finally {
    session.close();
  }
}
