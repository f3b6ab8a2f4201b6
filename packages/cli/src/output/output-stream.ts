import type { Writable } from 'node:stream';

/** Characters of text gathered before a write (see {@link OutputStream.text}). */
const TEXT_PIECE = 32_768;

/** Thrown by {@link OutputStream.write} once the reader went away (`| head`): stop producing, nothing failed. */
export class OutputClosedError extends Error {
  override name = 'OutputClosedError';
}

/**
 * Writes to stdout (or any stream) with backpressure: each write waits until the stream has taken the
 * previous ones, so a fast producer never queues more than the stream's buffer in memory.
 */
export class OutputStream {
  #parts: string[] = [];
  #size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /**
   * Adds text, written out in pieces of about 32 KiB: small enough that V8 keeps them out of its
   * large-object space (freed only by full collections, so garbage there grows the heap), large enough to
   * keep writes few. Call {@link flush} at the end.
   */
  async text(s: string): Promise<void> {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size >= TEXT_PIECE) await this.flush();
  }

  /** Writes out the text added so far. */
  async flush(): Promise<void> {
    if (this.#size === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    await this.write(text);
  }

  /** Whether the reader went away (EPIPE) or the stream was ended. */
  get closed(): boolean {
    const s = this.stream as Partial<Writable>;
    return s.destroyed === true || s.writableEnded === true;
  }

  /** Writes `data`, then waits for the stream to drain if it asked to; a closed stream throws {@link OutputClosedError}. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.closed) throw new OutputClosedError('the output was closed');
    if (this.stream.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      // An error (EPIPE) is reported by whoever owns the stream; here it only means "stop waiting".
      this.stream.on('error', done);
    });
  }
}
