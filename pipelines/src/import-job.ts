import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type Archive,
  type CommitResult,
  checkArchiveRoot,
  type InvocationObservation,
  openArchive,
  type RedactionPolicy,
} from '@swas-archive/archive';
import { decodeInvocations, type Invocation } from '@swas-archive/client';
import { dumpEntries, type Placement } from './dump-pages.js';
import { dumpValues } from './dump-values.js';
import { ImportUsageError } from './errors.js';

/** Observations staged at once. */
const BATCH = 10_000;

/** Options of {@link importJob}. */
export interface ImportJobOptions {
  /** The archive's folder, absolute (created when missing). */
  root: string;
  /** Dump files: a page per file, pages one after another, JSON Lines (of pages or items); gzip or not. */
  files: readonly string[];
  /** Stored with every row when the dump does not say (`Account`). @default 'default' */
  account?: string;
  /** The region of pages that do not say (`RegionId`) and whose path does not either. */
  regionId?: string;
  /** The instance of pages that do not say (`InstanceId`) and whose path does not either. */
  instanceId?: string;
  /**
   * Takes the region and instance from each file's path: a regular expression with named groups `region`
   * and/or `instance`, e.g. `/(?<region>[a-z]+-[a-z0-9-]+)\/(?<instance>[0-9a-f]{32})\//`.
   */
  pathPattern?: RegExp;
  /**
   * When the pages were read from the API, for every page. @default each page's `ObservedAt`, else its
   * file's modification time
   */
  observedAt?: Date;
  redaction?: RedactionPolicy;
  /** Told of each page skipped (as it is found) and each file done. */
  onEvent?: (event: ImportEvent) => void;
}

/** A page (or item, or line) that was not imported, and why. */
export interface SkippedPage {
  file: string;
  /** The line it starts on, from 1. */
  line: number;
  reason: string;
}

export type ImportEvent =
  | ({ type: 'skipped' } & SkippedPage)
  | { type: 'file-done'; file: string; pages: number; records: number };

/** What an import run did. */
export interface ImportJobResult {
  runId: string;
  files: number;
  /** Pages (and lone items) imported. */
  pages: number;
  /** Invocation records read from them (one observation each before dedupe). */
  records: number;
  skipped: SkippedPage[];
  /** The commit (absent when nothing was read): rows written, and observations the archive already had. */
  commit?: CommitResult;
  /** Per instance: the creation times imported, recorded in coverage as "imported, completeness unknown". */
  instances: {
    account: string;
    regionId: string;
    instanceId: string;
    records: number;
    from: Date;
    to: Date;
  }[];
}

/**
 * Imports dumps of `DescribeInvocations` pages (kept by a cron job that ran the aliyun CLI or the SDK)
 * into the archive as one run: each invocation becomes an observation decoded by the client's own decoder,
 * so it equals what a crawl would have archived; the archive's commit drops those it already holds in the
 * same state. Everything is committed in one snapshot at the end (nothing half-imported is ever visible),
 * with a coverage row per instance: not complete, "imported, completeness unknown", over the creation
 * times imported. A page that cannot be read or placed is skipped and reported with its file and line.
 */
export async function importJob(options: ImportJobOptions): Promise<ImportJobResult> {
  if (options.files.length === 0) throw new ImportUsageError('no dump file given', 'files');
  const files = await checkFiles(options.files);
  await checkArchiveRoot(options.root);
  const startedAt = new Date();
  const runId = `import-${startedAt.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const account = options.account ?? 'default';
  const result: ImportJobResult = {
    runId,
    files: files.length,
    pages: 0,
    records: 0,
    skipped: [],
    instances: [],
  };
  const ranges = new Map<string, ImportJobResult['instances'][number]>();
  const archive: Archive = await openArchive({ root: options.root, redaction: options.redaction });
  try {
    const snapshot = archive.beginSnapshot(runId);
    let batch: InvocationObservation[] = [];
    const flush = async () => {
      if (batch.length > 0) await snapshot.addObservations(batch);
      batch = [];
    };
    const skip = (s: SkippedPage) => {
      result.skipped.push(s);
      options.onEvent?.({ type: 'skipped', ...s });
    };
    for (const file of files) {
      const defaults: Placement = {
        ...pathPlacement(file.path, options.pathPattern),
        ...(options.regionId ? { regionId: options.regionId } : {}),
        ...(options.instanceId ? { instanceId: options.instanceId } : {}),
      };
      let pages = 0;
      let records = 0;
      for await (const v of dumpValues(file.path)) {
        if ('error' in v) {
          skip({ file: file.path, line: v.line, reason: v.error });
          continue;
        }
        for (const entry of dumpEntries(v.value)) {
          if (entry.kind === 'bad') {
            skip({ file: file.path, line: v.line, reason: entry.reason });
            continue;
          }
          const where = { ...defaults, ...definedOf(entry.placement) };
          if (!where.regionId || !where.instanceId) {
            skip({
              file: file.path,
              line: v.line,
              reason: `no ${where.regionId ? 'instance' : 'region'}: the page does not say, and neither --region/--instance nor --path-pattern do`,
            });
            continue;
          }
          const body =
            entry.kind === 'page'
              ? entry.body
              : { RequestId: '', TotalCount: 1, PageNumber: 1, PageSize: 1, Invocations: [entry.item] };
          let items: Invocation[];
          try {
            items = decodeInvocations(body).items;
          } catch (error) {
            skip({ file: file.path, line: v.line, reason: `not a valid page: ${(error as Error).message}` });
            continue;
          }
          const observedAt = options.observedAt ?? entry.placement.observedAt ?? file.mtime;
          const place = {
            account: where.account ?? account,
            regionId: where.regionId,
            instanceId: where.instanceId,
          };
          for (const inv of items) {
            batch.push(observationOf(place, inv, observedAt));
            track(ranges, place, inv.creationTime);
          }
          pages++;
          records += items.length;
          if (batch.length >= BATCH) await flush();
        }
      }
      await flush();
      result.pages += pages;
      result.records += records;
      options.onEvent?.({ type: 'file-done', file: file.path, pages, records });
    }
    result.instances = [...ranges.values()];
    if (result.records === 0) {
      await snapshot.abort();
      return result;
    }
    const finishedAt = new Date();
    await snapshot.addCoverage(
      result.instances.map((r) => ({
        account: r.account,
        regionId: r.regionId,
        instanceId: r.instanceId,
        observedAt: finishedAt,
        complete: false,
        windowStart: r.from,
        windowEnd: r.to,
        joinedPrevious: false,
        detail: `imported, completeness unknown: ${r.records} record(s) created ${r.from.toISOString()} to ${r.to.toISOString()} from dumps (run ${runId})`,
      })),
    );
    await snapshot.setRun({
      startedAt,
      finishedAt,
      outcome: result.skipped.length > 0 ? 'partial' : 'complete',
      accounts: [...new Set(result.instances.map((r) => r.account))],
      callsByAction: {},
      throttles: 0,
      retries: 0,
      // Observations offered: the commit drops those the archive already holds in the same state.
      recordsNew: result.records,
      recordsChanged: 0,
      instancesComplete: 0,
      instancesIncomplete: result.instances.length,
      gapsFound: 0,
    });
    result.commit = await snapshot.commit();
    return result;
  } finally {
    await archive.close();
  }
}

/** What a crawl would store for `inv` seen at `observedAt` (the crawler's own mapping, field for field). */
function observationOf(
  where: { account: string; regionId: string; instanceId: string },
  inv: Invocation,
  observedAt: Date,
): InvocationObservation {
  return {
    account: where.account,
    regionId: where.regionId,
    instanceId: where.instanceId,
    invokeId: inv.invokeId,
    creationTime: inv.creationTime,
    invocationStatus: inv.invocationStatus,
    invokeStatus: inv.invokeStatus,
    commandType: inv.commandType,
    commandName: inv.commandName,
    commandContent: inv.commandContent,
    commandContentBase64: inv.commandContentBase64,
    parameters: inv.parameters,
    observedAt,
  };
}

function track(
  ranges: Map<string, ImportJobResult['instances'][number]>,
  where: { account: string; regionId: string; instanceId: string },
  created: Date,
): void {
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

function pathPlacement(path: string, pattern: RegExp | undefined): Placement {
  const groups = pattern?.exec(path)?.groups;
  if (!groups) return {};
  return {
    ...(groups.region ? { regionId: groups.region } : {}),
    ...(groups.instance ? { instanceId: groups.instance } : {}),
  };
}

function definedOf(p: Placement): Placement {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Placement;
}

/** Every file, absolute, with its modification time; one that cannot be read stops the import before it starts. */
async function checkFiles(paths: readonly string[]): Promise<{ path: string; mtime: Date }[]> {
  const out: { path: string; mtime: Date }[] = [];
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
