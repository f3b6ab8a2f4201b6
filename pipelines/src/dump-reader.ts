import type { InvocationObservation } from '@swas-archive/archive';
import { decodeInvocations, type Invocation } from '@swas-archive/client';
import { invocationObservation } from '@swas-archive/crawler';
import { definedOnly, dumpEntries, type Placement } from './dump-pages.js';
import { type PageTime, pageTime, pathPlacement } from './dump-placement.js';
import { dumpValues } from './dump-values.js';

/** How pages are placed and dated when the dump does not say. */
export interface DumpReadOptions {
  /** Stored with every row when the dump does not say (`Account`). @default 'default' */
  account?: string;
  /** The region of pages that do not say (`RegionId`) and whose path does not either. */
  regionId?: string;
  /** The instance of pages that do not say (`InstanceId`) and whose path does not either. */
  instanceId?: string;
  /**
   * Takes the region and instance from each file's path (absolute): a regular expression with named groups
   * `region` and/or `instance`, e.g. `/\/(?<region>[^/]+)\/(?<instance>[^/]+)\/[^/]+$/`. A region that
   * is no region id (`cn-hangzhou`) is refused: the pages that needed it are skipped, saying so.
   */
  pathPattern?: RegExp;
  /**
   * When the pages were read from the API, for every page. @default each page's `ObservedAt`, else its
   * file's modification time
   */
  observedAt?: Date;
  /**
   * The service's retention: a page dated by its file's time is dated no later than its oldest creation
   * time plus this. @default 14 days
   */
  retentionMs?: number;
}

/** A dump file, absolute, with its modification time (the default time its pages were read). */
export interface DumpFile {
  path: string;
  mtime: Date;
}

/** A page (or item, or line) that was not imported, and why. */
export interface SkippedPage {
  file: string;
  /** The line it starts on, from 1. */
  line: number;
  reason: string;
}

/** What a dump yields: a page's observations, or a page skipped. */
export type DumpItem =
  | { type: 'page'; observations: InvocationObservation[]; dated: Omit<PageTime, 'observedAt'> }
  | { type: 'skipped'; skipped: SkippedPage };

/**
 * The pages of one dump file as observations, in order, each invocation decoded by the client's own
 * decoder (so equal to what a crawl archives), placed by the dump (`RegionId`, `InstanceId`, `Account`),
 * else the path pattern, else the options, and dated by `observedAt`, else the page's `ObservedAt`, else the
 * file's time (see {@link pageTime}). A page that cannot be read, decoded or placed is yielded as skipped,
 * with its line.
 */
export async function* readDump(file: DumpFile, options: DumpReadOptions = {}): AsyncGenerator<DumpItem> {
  const fromPath = pathPlacement(file.path, options.pathPattern);
  const defaults: Placement = {
    ...(options.regionId ? { regionId: options.regionId } : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
    ...('error' in fromPath ? {} : fromPath),
  };
  let problems = 0;
  const skipped = (line: number, reason: string): DumpItem => {
    problems++;
    return { type: 'skipped', skipped: { file: file.path, line, reason: printable(reason) } };
  };
  for await (const v of dumpValues(file.path)) {
    // A file this broken is no dump (a binary, a log): the rest is not read, nor reported line by line.
    if (problems >= MAX_PROBLEMS_PER_FILE) {
      yield skipped(
        v.line,
        `${MAX_PROBLEMS_PER_FILE} problems so far: gave up on the rest of the file (is it a dump of DescribeInvocations pages?)`,
      );
      return;
    }
    if ('error' in v) {
      yield skipped(v.line, v.error);
      continue;
    }
    for (const entry of dumpEntries(v.value)) {
      if (entry.kind === 'bad') {
        yield skipped(v.line, entry.reason);
        continue;
      }
      const where = { ...defaults, ...definedOnly(entry.placement) };
      if (!where.regionId || !where.instanceId) {
        yield skipped(
          v.line,
          'error' in fromPath
            ? fromPath.error
            : `no ${where.regionId ? 'instance' : 'region'}: the page does not say, and neither --region/--instance nor --path-pattern do`,
        );
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
        yield skipped(v.line, `not a valid page: ${(error as Error).message}`);
        continue;
      }
      const { observedAt, ...dated } = pageTime(
        items.map((i) => i.creationTime),
        {
          flag: options.observedAt,
          page: entry.placement.observedAt,
          file: file.mtime,
          retentionMs: options.retentionMs,
        },
      );
      const place = {
        account: where.account ?? options.account ?? 'default',
        regionId: where.regionId,
        instanceId: where.instanceId,
      };
      yield {
        type: 'page',
        observations: items.map((inv) => invocationObservation(place, inv, observedAt)),
        dated,
      };
    }
  }
}

/** Problems reported in one file before the rest of it is given up. */
export const MAX_PROBLEMS_PER_FILE = 20;

/** Longest reason reported, in characters. */
const MAX_REASON = 240;

/**
 * A reason as it may be printed: the dump's own text quoted in it (by a parser's message) with every
 * character outside printable ASCII escaped, and cut to {@link MAX_REASON} characters, so that a binary
 * file never writes raw bytes or control codes to a terminal.
 */
export function printable(reason: string): string {
  const escaped = reason.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > MAX_REASON ? `${escaped.slice(0, MAX_REASON - 1)}…` : escaped;
}
