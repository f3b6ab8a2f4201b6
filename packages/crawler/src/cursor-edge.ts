import { type InvocationStatus, isFinalInvocationStatus } from '@swas-archive/client';
import { hasEdge, type InstanceCursor, type PendingRecord } from './instance-cursor.js';
import type { RecordKey } from './record-key.js';

/** What the previous run's cursor says about a record this run reads. */
export class CursorEdge {
  /** Records the previous run asked to see again: last seen not final, or missing their result. */
  readonly revisit: ReadonlyMap<string, PendingRecord>;
  readonly #edgeIds: ReadonlySet<string>;
  readonly #belowIds: ReadonlySet<string>;
  readonly #aboveIds?: ReadonlySet<string>;

  constructor(
    readonly cursor: InstanceCursor | undefined,
    /** Whether the run walks every page and archives every record again (`full`). */
    readonly full: boolean,
  ) {
    this.revisit = new Map(
      [...(cursor?.pending ?? []), ...(cursor?.missingResults ?? [])].map((p) => [p.id, p]),
    );
    this.#edgeIds = new Set(cursor?.edgeIds);
    this.#belowIds = new Set(cursor?.hole?.belowIds);
    const aboveIds = cursor?.hole?.aboveIds;
    this.#aboveIds = Array.isArray(aboveIds) ? new Set(aboveIds) : undefined;
  }

  /**
   * A record the archive already holds in its final state: older than the edge (or at it and known), and
   * not in a hole a stopped walk left.
   */
  archived(rec: RecordKey): boolean {
    const end = this.cursor?.windowEnd;
    if (end === undefined) return false;
    return (rec.t < end || (rec.t === end && this.#edgeIds.has(rec.id))) && !this.inHole(rec);
  }

  /** Whether the record lies in the hole a stopped walk left (see `CursorHole`). */
  inHole(rec: RecordKey): boolean {
    const hole = this.cursor?.hole;
    if (!hole) return false;
    if (hole.above !== undefined && rec.t < hole.above) return false;
    if (rec.t === hole.above && (!this.#aboveIds || this.#aboveIds.has(rec.id))) return false;
    return rec.t < hole.below || (rec.t === hole.below && !this.#belowIds.has(rec.id));
  }

  /** Whether a record read this run may hold something the archive lacks, and so is archived again. */
  mayHaveChanged(rec: RecordKey): boolean {
    if (this.full || !hasEdge(this.cursor)) return true;
    return !this.archived(rec) || this.revisit.has(rec.id);
  }

  /** Whether to fetch the record's result: final, and not archived final before. */
  needsResult(rec: RecordKey, status: InvocationStatus): boolean {
    if (!isFinalInvocationStatus(status)) return false;
    return !hasEdge(this.cursor) || !this.archived(rec) || this.revisit.has(rec.id);
  }
}
