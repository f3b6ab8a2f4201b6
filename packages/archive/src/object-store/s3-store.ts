import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ArchiveStoreError, ArchiveUsageError } from '../errors.js';
import type { ObjectStore, StoredObject } from './object-store.js';

/**
 * The client's settings from the standard AWS variables of `env`: `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL` (any S3-compatible store), `AWS_REGION` (default us-east-1), `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` (else the SDK's default chain: profile, instance role…),
 * and `AWS_S3_FORCE_PATH_STYLE=true` for stores that take no bucket in the host name.
 */
export function s3ConfigFrom(env: NodeJS.ProcessEnv): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const key = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE === 'true',
    ...(key && secret
      ? { credentials: { accessKeyId: key, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
    maxAttempts: 5,
  };
}

/** An archive under `s3://bucket/prefix` of any S3-compatible store that honours `If-None-Match: *`. */
export class S3Store implements ObjectStore {
  readonly #client: S3Client;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    config: S3ClientConfig,
  ) {
    this.#client = new S3Client(config);
  }

  #key = (key: string) => (this.prefix ? `${this.prefix}/${key}` : key);

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      return Buffer.from(
        await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.#failed('read', key, error);
    }
  }

  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.#key(key), Body: body, IfNoneMatch: '*' }),
      );
      return true;
    } catch (error) {
      // 412: the key exists; 409: a concurrent conditional write to it is in progress (it may win).
      const status = statusOf(error);
      // Taken: by another writer, or by this very put when a retry followed an attempt that landed.
      if (status === 412) return (await this.get(key))?.equals(body) ?? false;
      if (status === 409) return false;
      throw this.#failed('write', key, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.#key(prefix),
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw this.#failed('list', prefix, error);
      }
      for (const o of out.Contents ?? [])
        if (o.Key)
          found.push({
            key: o.Key.slice(strip),
            lastModified: o.LastModified ?? new Date(0),
            size: o.Size ?? 0,
          });
      token = out.NextContinuationToken;
    } while (token);
    return found;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
    } catch (error) {
      throw this.#failed('delete', key, error);
    }
  }

  close(): void {
    this.#client.destroy();
  }

  /** An error naming the object and the store's answer (never a credential); no credentials is exit 2. */
  #failed(what: string, key: string, error: unknown): ArchiveStoreError | ArchiveUsageError {
    if ((error as Error | undefined)?.name === 'CredentialsProviderError')
      return new ArchiveUsageError(
        `s3://${this.bucket}/${this.prefix}: no AWS credentials found (the SDK looked in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/credentials, web identity, and the instance's role): export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the store`,
        `s3://${this.bucket}/${this.prefix}`,
        { cause: error },
      );
    const status = statusOf(error);
    const answer =
      error instanceof S3ServiceException ? `${error.name} (HTTP ${status})` : (error as Error).message;
    return new ArchiveStoreError(
      `cannot ${what} s3://${this.bucket}/${this.#key(key)}: ${answer}; check AWS_ENDPOINT_URL, the bucket, and that the AWS_ACCESS_KEY_ID in use may ${what} it`,
      `s3://${this.bucket}/${this.prefix}`,
      { cause: error },
    );
  }
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
