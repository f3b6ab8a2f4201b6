/** One object of a listing. */
export interface StoredObject {
  /** Relative to the archive's prefix, with `/` separators. */
  key: string;
  lastModified: Date;
  size: number;
}

/**
 * What the archive needs of an object store, keys relative to the archive's prefix. No rename: the
 * commit point is {@link ObjectStore.putIfAbsent} of a new catalog object.
 */
export interface ObjectStore {
  /** The object's bytes; undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Writes the object only if the key is free: false (and nothing written) when it exists. */
  putIfAbsent(key: string, body: Buffer): Promise<boolean>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  delete(key: string): Promise<void>;
  /** Closes connections. */
  close(): void;
}
