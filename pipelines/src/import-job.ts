import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type Archive,
  type CommitResult,
  type CoverageRecord,
  checkArchiveRoot,
  type InvocationObservation,
  openArchive,
  type RedactionPolicy,
  type SnapshotWriter,
} from '@swas-archive/archive';
import { type DumpFile, type DumpReadOptions, readDump, type SkippedPage } from './dump-reader.js';
import { ImportUsageError } from './errors.js';

/** Observations staged at once. */
const BATCH = 10_000;

/** Options of {@link importJob}. */
export interface ImportJobOptions extends DumpReadOptions {
  /** The archive's folder, absolute (created when missing). */
  root: string;
  /** Dump files: a page per file, pages one after another, JSON Lines (of pages or items); gzip or not. */
  files: readonly string[];
  redaction?: RedactionPolicy;
  /** Told of each page skipped (as it is found) and each file done. */
  onEvent?: (event: ImportEvent) => void;
}

export type ImportEvent =
  | ({ type: 'skipped' } & SkippedPage)
  | {
      type: 'file-done';
      file: string;
      pages: number;
      records: number;
      /** Pages dated by the file's modification time (no `ObservedAt`, no flag), and of them those moved. */
      datedByFile: number;
      movedIntoRetention: number;
    };

/** One instance an import placed records in. */
export interface ImportedInstance {
  account: string;
  regionId: string;
  instanceId: string;
  records: number;
  from: Date;
  to: Date;
}

/** What an import run did. */
export interface ImportJobResult {
  runId: string;
  files: number;
  /** Pages (and lone items) imported. */
  pages: number;
  /** Invocation records read from them (one observation each before dedupe). */
  records: number;
  /** Pages dated by their file's modification time, and of them those moved within retention. */
  datedByFile: { pages: number; moved: number };
  skipped: SkippedPage[];
  /**
   * The commit (absent when nothing was read): rows written, observations the archive already had
   * (`skipped`), and those dropped as older than a final state already known (`stale`).
   */
  commit?: CommitResult;
  /** Per instance: the creation times imported, recorded in coverage as "imported, completeness unknown". */
  instances: ImportedInstance[];
  /** Reading, decoding and staging the dumps; committing the snapshot. */
  timingsMs: { read: number; commit: number };
}

/**
 * Imports dumps of `DescribeInvocations` pages (kept by a cron job that ran the aliyun CLI or the SDK)
 * into the archive as one run: each invocation becomes an observation decoded by the client's own decoder,
 * so it equals what a crawl would have archived. The commit is an imported snapshot: what the archive
 * already holds in the same state is dropped (before or after it in time), and so is a non-final state
 * dated after a final one (a page dated by a copied file's time). Everything is committed in one snapshot at
 * the end (nothing half-imported is ever visible), with a coverage row per instance: not complete,
 * "imported, completeness unknown", over the creation times imported. A page that cannot be read or placed
 * is skipped and reported with its file and line.
 */
export async function importJob(options: ImportJobOptions): Promise<ImportJobResult> {
  if (options.files.length === 0) throw new ImportUsageError('no dump file given', 'files');
  const files = await checkFiles(options.files);
  await checkArchiveRoot(options.root);
  const startedAt = new Date();
  const runId = `import-${startedAt.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const result: ImportJobResult = {
    runId,
    files: files.length,
    pages: 0,
    records: 0,
    datedByFile: { pages: 0, moved: 0 },
    skipped: [],
    instances: [],
    timingsMs: { read: 0, commit: 0 },
  };
  const archive: Archive = await openArchive({ root: options.root, redaction: options.redaction });
  try {
    const snapshot = archive.beginSnapshot(runId, { imported: true });
    const read = performance.now();
    result.instances = await stageDumps(snapshot, files, options, result);
    result.timingsMs.read = Math.round(performance.now() - read);
    if (result.records === 0) {
      await snapshot.abort();
      return result;
    }
    const finishedAt = new Date();
    await snapshot.addCoverage(coverageOf(result.instances, finishedAt, runId));
    // recordsNew and recordsChanged are set by the commit, from its dedupe (an imported snapshot).
    await snapshot.setRun({
      startedAt,
      finishedAt,
      outcome: result.skipped.length > 0 ? 'partial' : 'complete',
      accounts: [...new Set(result.instances.map((r) => r.account))],
      callsByAction: {},
      throttles: 0,
      retries: 0,
      recordsNew: 0,
      recordsChanged: 0,
      instancesComplete: 0,
      instancesIncomplete: result.instances.length,
      gapsFound: 0,
    });
    const commit = performance.now();
    result.commit = await snapshot.commit();
    result.timingsMs.commit = Math.round(performance.now() - commit);
    return result;
  } finally {
    await archive.close();
  }
}

/** Reads every file into the snapshot, in batches; tallies pages, records and problems into `result`. */
async function stageDumps(
  snapshot: SnapshotWriter,
  files: readonly DumpFile[],
  options: ImportJobOptions,
  result: ImportJobResult,
): Promise<ImportedInstance[]> {
  const ranges = new Map<string, ImportedInstance>();
  let batch: InvocationObservation[] = [];
  const flush = async () => {
    if (batch.length > 0) await snapshot.addObservations(batch);
    batch = [];
  };
  for (const file of files) {
    const done = { pages: 0, records: 0, datedByFile: 0, movedIntoRetention: 0 };
    for await (const item of readDump(file, options)) {
      if (item.type === 'skipped') {
        result.skipped.push(item.skipped);
        options.onEvent?.({ type: 'skipped', ...item.skipped });
        continue;
      }
      done.pages++;
      done.records += item.observations.length;
      if (item.dated.source === 'file') done.datedByFile++;
      if (item.dated.moved) done.movedIntoRetention++;
      for (const o of item.observations) {
        batch.push(o);
        track(ranges, o);
      }
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    result.pages += done.pages;
    result.records += done.records;
    result.datedByFile.pages += done.datedByFile;
    result.datedByFile.moved += done.movedIntoRetention;
    options.onEvent?.({ type: 'file-done', file: file.path, ...done });
  }
  return [...ranges.values()];
}

/** A coverage row per instance: its imported creation times, never proven complete. */
function coverageOf(instances: readonly ImportedInstance[], at: Date, runId: string): CoverageRecord[] {
  return instances.map((r) => ({
    account: r.account,
    regionId: r.regionId,
    instanceId: r.instanceId,
    observedAt: at,
    complete: false,
    windowStart: r.from,
    windowEnd: r.to,
    joinedPrevious: false,
    detail: `imported, completeness unknown: ${r.records} record(s) created ${r.from.toISOString()} to ${r.to.toISOString()} from dumps (run ${runId})`,
  }));
}

function track(ranges: Map<string, ImportedInstance>, o: InvocationObservation): void {
  const where = { account: o.account, regionId: o.regionId, instanceId: o.instanceId };
  const created = o.creationTime;
  const key = `${where.account}\u0000${where.regionId}\u0000${where.instanceId}`;
  const r = ranges.get(key);
  if (!r) {
    ranges.set(key, { ...where, records: 1, from: created, to: created });
    return;
  }
  r.records++;
  if (created < r.from) r.from = created;
  if (created > r.to) r.to = created;
}

/** Every file, absolute, with its modification time; one that cannot be read stops the import before it starts. */
async function checkFiles(paths: readonly string[]): Promise<DumpFile[]> {
  const out: DumpFile[] = [];
  for (const p of paths) {
    const path = resolve(p);
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new ImportUsageError(`${path} is not a file`, path);
      out.push({ path, mtime: s.mtime });
    } catch (error) {
      if (error instanceof ImportUsageError) throw error;
      throw new ImportUsageError(
        `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        path,
        { cause: error },
      );
    }
  }
  return out;
}

export type { SkippedPage };
