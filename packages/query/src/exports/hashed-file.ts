import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

/** Bytes gathered before one write to the disk. */
const WRITE_SIZE = 1 << 20;

/**
 * A new file written in order, whose size and SHA-256 are known when it is closed: the bytes are hashed as
 * they go out, never read back. `close()` fsyncs it. Memory: at most about a megabyte waiting.
 */
export class HashedFile {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  readonly #hash: Hash = createHash('sha256');

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates `path`, which must not exist. */
  static async create(path: string): Promise<HashedFile> {
    return new HashedFile(path, await open(path, 'wx'));
  }

  /** Bytes written so far (waiting ones included). */
  get bytes(): number {
    return this.#bytes;
  }

  async write(data: string | Uint8Array): Promise<void> {
    const buf =
      typeof data === 'string'
        ? Buffer.from(data, 'utf8')
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.length === 0) return;
    this.#hash.update(buf);
    this.#bytes += buf.length;
    this.#pending.push(buf);
    this.#pendingBytes += buf.length;
    if (this.#pendingBytes >= WRITE_SIZE) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const buf = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    let off = 0;
    while (off < buf.length) off += (await this.handle.write(buf, off)).bytesWritten;
  }

  /** Writes what waits, fsyncs and closes; the file's size and hex SHA-256. */
  async close(): Promise<{ bytes: number; sha256: string }> {
    try {
      await this.#flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
    return { bytes: this.#bytes, sha256: this.#hash.digest('hex') };
  }

  /** Closes without caring for the content (the export failed; its folder goes). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
