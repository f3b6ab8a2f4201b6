import type { StoredCursors } from './instance-cursor.js';

/**
 * Per account, the newest creation time the crawler has seen: the service's clock is at least that, whatever
 * the crawler's own clock says (a record seen was created by then). A walk that begins later proves every
 * record created before it (`coveredTo` in the cursor).
 */
export class ServerFloors {
  readonly #floors = new Map<string, number>();

  /** Starts from the stored cursors: their edges and what their walks proved. */
  fromCursors(cursors: StoredCursors): void {
    for (const [key, c] of cursors) {
      const account = key.slice(0, key.indexOf('/'));
      this.saw(account, c?.windowEnd);
      this.saw(account, c?.coveredTo);
    }
  }

  /** The newest creation time seen of `account` (−∞ before any). */
  of(account: string): number {
    return this.#floors.get(account) ?? Number.NEGATIVE_INFINITY;
  }

  /** Notes a creation time seen of `account`. */
  saw(account: string, t: number | undefined): void {
    if (t !== undefined && t > this.of(account)) this.#floors.set(account, t);
  }
}
