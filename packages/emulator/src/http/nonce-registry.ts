/** Remembers nonces for a while so that a replayed request is refused. */
export class NonceRegistry {
  readonly #seen = new Map<string, number>();
  #sinceSweep = 0;

  /** Remembers each nonce for `ttlMs` of real time. */
  constructor(private readonly ttlMs: number) {}

  /** False when `nonce` was already registered within the time-to-live. */
  register(nonce: string): boolean {
    const now = Date.now();
    const until = this.#seen.get(nonce);
    if (until !== undefined && until > now) return false;
    this.#seen.set(nonce, now + this.ttlMs);
    if (++this.#sinceSweep >= 10_000) this.#sweep(now);
    return true;
  }

  #sweep(now: number): void {
    this.#sinceSweep = 0;
    for (const [nonce, until] of this.#seen) if (until <= now) this.#seen.delete(nonce);
  }
}
