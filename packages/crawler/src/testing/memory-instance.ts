import type { Invocation, InvocationResult, InvocationStatus, Page } from '@swas-archive/client';
import type { ResultFetch, WalkIo } from '../page-reader.js';

/** What the fake keeps of one invocation. */
export interface MemoryRecord {
  id: string;
  /** Creation time, epoch ms. */
  t: number;
  status: InvocationStatus;
}

/** How the fake lists: by creation time either way, or in no order at all. */
export type ServedOrder = 'newest-first' | 'oldest-first' | 'unordered';

/**
 * One instance's invocations held in memory, answering the walk's three calls: page N of 50 with
 * `TotalCount`, in the order asked, as `DescribeInvocations` does; results on demand; and whatever is
 * emitted, counted by id (the archive side). A hook runs after every page read, to change the listing
 * between two reads (drift).
 */
export class MemoryInstance implements WalkIo {
  /** The records held, oldest first. */
  records: MemoryRecord[] = [];
  /** Page numbers read, in order. */
  readonly reads: number[] = [];
  /** Ids whose result was fetched, in order. */
  readonly resultFetches: string[] = [];
  /** Times each id was emitted, and the states it was emitted in. */
  readonly emitted = new Map<string, InvocationStatus[]>();
  /** Ids emitted with a result. */
  readonly emittedResults = new Set<string>();
  /** Ids whose result fetch answers `later` (could not be fetched now). */
  readonly failingResults = new Set<string>();
  /** Runs after each page read, with its number. */
  afterRead?: (pageNumber: number) => void;
  #seq = 0;

  constructor(
    public order: ServedOrder,
    /** Whether the walk asks for results (`fetchResult` is offered). */
    withResults = false,
  ) {
    if (!withResults) this.fetchResult = undefined;
  }

  /** Adds `n` records, one a second from `from` (epoch ms), newest last. */
  add(n: number, from: number, status: InvocationStatus = 'Success'): MemoryRecord[] {
    const added: MemoryRecord[] = [];
    for (let i = 0; i < n; i++) added.push({ id: `inv-${this.#seq++}`, t: from + i * 1000, status });
    for (const r of added) this.records.push(r);
    return added;
  }

  /** Removes the `n` oldest records (expiry, or the record cap). */
  expireOldest(n: number): void {
    this.records.splice(0, n);
  }

  /** The newest creation time held. */
  get newest(): number {
    return (this.records[this.records.length - 1] as MemoryRecord).t;
  }

  /** Forgets what the last run read, fetched and emitted. */
  resetCounts(): void {
    this.reads.length = 0;
    this.resultFetches.length = 0;
    this.emitted.clear();
    this.emittedResults.clear();
  }

  /** Ids emitted more than once in the same state. */
  duplicates(): string[] {
    return [...this.emitted].filter(([, states]) => new Set(states).size < states.length).map(([id]) => id);
  }

  async readPage(pageNumber: number): Promise<Page<Invocation>> {
    this.reads.push(pageNumber);
    const total = this.records.length;
    const start = (pageNumber - 1) * 50;
    const items: Invocation[] = [];
    for (let k = start; k < Math.min(start + 50, total); k++) items.push(invocation(this.#at(k, total)));
    this.afterRead?.(pageNumber);
    return { items, totalCount: total, pageNumber, pageSize: 50, requestId: `req-${this.reads.length}` };
  }

  async fetchResult?(invokeId: string): Promise<ResultFetch> {
    this.resultFetches.push(invokeId);
    if (this.failingResults.has(invokeId)) return 'later';
    const r = this.records.find((x) => x.id === invokeId);
    if (!r) return 'gone';
    return {
      invokeId,
      instanceId: 'i-memory',
      invocationStatus: r.status,
      invokeRecordStatus: 'Finished',
      exitCode: 0,
      output: 'ok',
      errorCode: '',
      errorInfo: '',
      invokeUser: 'root',
    };
  }

  async emit(records: readonly Invocation[], results: ReadonlyMap<string, InvocationResult>): Promise<void> {
    for (const r of records) {
      const states = this.emitted.get(r.invokeId) ?? [];
      states.push(r.invocationStatus);
      this.emitted.set(r.invokeId, states);
      if (results.has(r.invokeId)) this.emittedResults.add(r.invokeId);
    }
  }

  /** The record at listing position `k`. */
  #at(k: number, total: number): MemoryRecord {
    if (this.order === 'oldest-first') return this.records[k] as MemoryRecord;
    if (this.order === 'newest-first') return this.records[total - 1 - k] as MemoryRecord;
    // Unordered: even positions from the old end, odd ones from the new end, interleaved.
    return this.records[k % 2 === 0 ? k / 2 : total - 1 - (k - 1) / 2] as MemoryRecord;
  }
}

function invocation(r: MemoryRecord): Invocation {
  return {
    invokeId: r.id,
    creationTime: new Date(r.t),
    invocationStatus: r.status,
    invokeStatus: r.status === 'Running' ? 'Running' : 'Finished',
    commandType: 'RunShellScript',
    commandName: 'uptime',
    commandContent: 'uptime',
    parameters: {},
  };
}
