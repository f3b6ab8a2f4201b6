import { formatApiTime } from '../api-time.js';
import type { FaultKind } from './fault-options.js';

/** One request as the emulator answered it. */
export interface RequestLogEntry {
  /** 1-based order of arrival. */
  seq: number;
  /** Real time the request arrived (ISO-8601). */
  time: string;
  /** Real time in epoch milliseconds, for window arithmetic. */
  timeMs: number;
  /** The emulator's virtual time when the answer was computed (after any injected latency), ISO-8601. */
  virtualTime: string;
  accessKeyId?: string;
  regionId?: string;
  /** The `InstanceId` the request named, if it named one. */
  instanceId?: string;
  action?: string;
  signatureVersion?: 'v2' | 'v3';
  /** HTTP status sent; 0 when the connection was reset. */
  httpStatus: number;
  /** `ok`, or the error code answered. */
  outcome: string;
  fault?: FaultKind;
  /** Whether the request counted against its budget. */
  admitted: boolean;
}

/** What the log keeps per request: times stay numbers until someone reads the log. */
export type RequestLogRecord = Omit<RequestLogEntry, 'time' | 'virtualTime'> & { virtualMs: number };

/** A bounded log of requests, oldest dropped first. */
export class RequestLog {
  readonly #entries: RequestLogRecord[] = [];
  #seq = 0;

  /** Keeps at most `limit` requests. */
  constructor(private readonly limit = 1_000_000) {}

  /** The sequence number of the request that has just arrived. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Logs a request once it is answered, dropping the oldest beyond the limit. */
  add(entry: RequestLogRecord): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.limit) this.#entries.splice(0, this.#entries.length - this.limit);
  }

  /** Every request kept, oldest first, with its times written out. */
  entries(): RequestLogEntry[] {
    return this.#entries.map(({ virtualMs, ...rest }) => ({
      ...rest,
      time: new Date(rest.timeMs).toISOString(),
      virtualTime: formatApiTime(virtualMs),
    }));
  }

  /** Forgets every request (sequence numbers go on). */
  clear(): void {
    this.#entries.length = 0;
  }
}
