import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import * as AlibabaCredentials from '@alicloud/credentials';
import OSS from 'ali-oss';
import { ArchiveStoreError, ArchiveUsageError } from '../errors.js';
import type { ObjectStore, StoredObject } from './object-store.js';

/** Keys for OSS requests, fetched again when a temporary (STS) key nears its end. */
export interface OssKeys {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Where and as whom an `oss://` archive is reached. */
export interface OssConfig {
  /** The bucket's region, as in `cn-hangzhou`. */
  region: string;
  /** The endpoint when it is not the region's public one (`https://oss-cn-hangzhou-internal.aliyuncs.com`). */
  endpoint?: string;
  keys: () => Promise<OssKeys>;
}

const HOW_TO_REACH =
  'set OSS_REGION to the bucket\'s region (for example "cn-hangzhou"), or OSS_ENDPOINT to its endpoint (for example "https://oss-cn-hangzhou-internal.aliyuncs.com")';

/**
 * The settings of an `oss://` archive from `env`: `OSS_REGION` and/or `OSS_ENDPOINT` (the region is read
 * from an `oss-<region>[-internal].aliyuncs.com` endpoint), and the keys from `OSS_ACCESS_KEY_ID` /
 * `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN` (ossutil's names), else from the Alibaba Cloud default chain
 * the crawl uses too (`ALIBABA_CLOUD_ACCESS_KEY_ID`…, the aliyun CLI profile, the credentials file, an
 * OIDC role, the ECS RAM role).
 */
export function ossConfigFrom(env: NodeJS.ProcessEnv, url: string): OssConfig {
  const endpoint = env.OSS_ENDPOINT?.trim() || undefined;
  const named = endpoint && /(?:^|\/\/)oss-([a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com/i.exec(endpoint)?.[1];
  // An acceleration endpoint (oss-accelerate[-overseas]) names no region: OSS_REGION must.
  const fromEndpoint = named?.startsWith('accelerate') ? undefined : named;
  const region = (env.OSS_REGION?.trim() || fromEndpoint || '').replace(/^oss-/, '');
  if (!region)
    throw new ArchiveUsageError(
      `${url}: the OSS region is not known: ${HOW_TO_REACH}${endpoint ? ' (the endpoint given does not name one)' : ''}`,
    );
  const id = env.OSS_ACCESS_KEY_ID;
  const secret = env.OSS_ACCESS_KEY_SECRET;
  if (id && secret) {
    const keys = {
      accessKeyId: id,
      accessKeySecret: secret,
      securityToken: env.OSS_SESSION_TOKEN || undefined,
    };
    return { region, endpoint, keys: async () => keys };
  }
  const chain = AlibabaCredentials.DefaultCredentialsProvider.builder().build();
  return {
    region,
    endpoint,
    async keys() {
      try {
        const c = await chain.getCredentials();
        return {
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          securityToken: c.securityToken,
        };
      } catch (error) {
        const said = error instanceof Error ? error.message : String(error);
        // The chain found nothing anywhere: say where it looked. Anything else (a damaged profile file, the
        // instance's metadata service failing) is said as the chain said it.
        throw new ArchiveUsageError(
          /any of the providers in the chain/.test(said)
            ? `${url}: no credentials for OSS. Looked in OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET, then the Alibaba Cloud chain: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, an OIDC role, ~/.aliyun/config.json, ~/.alibabacloud/credentials and the ECS RAM role. Export OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or run \`aliyun configure\``
            : `${url}: cannot get credentials for OSS: ${said}`,
          url,
          { cause: error },
        );
      }
    },
  };
}

/**
 * An archive under `oss://bucket/prefix` in Alibaba Cloud OSS, through ali-oss with signature V4. The
 * conditional put is a put with `x-oss-forbid-overwrite: true`, which OSS refuses with 409
 * `FileAlreadyExists` when the key is taken.
 */
export class OssStore implements ObjectStore {
  readonly #http = new HttpAgent({ keepAlive: true });
  readonly #https = new HttpsAgent({ keepAlive: true });
  #client: Promise<OSS> | undefined;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly config: OssConfig,
  ) {}

  #key = (key: string) => (this.prefix ? `${this.prefix}/${key}` : key);

  /** The client, made on first use: the keys are fetched then, not when the archive is named. */
  #oss(): Promise<OSS> {
    this.#client ??= (async () => {
      const keys = await this.config.keys();
      const refresh = async () => {
        const k = await this.config.keys();
        return {
          accessKeyId: k.accessKeyId,
          accessKeySecret: k.accessKeySecret,
          stsToken: k.securityToken ?? '',
        };
      };
      const oss = new OSS({
        region: `oss-${this.config.region}`,
        ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
        bucket: this.bucket,
        accessKeyId: keys.accessKeyId,
        accessKeySecret: keys.accessKeySecret,
        ...(keys.securityToken ? { stsToken: keys.securityToken, refreshSTSToken: refresh } : {}),
        authorizationV4: true,
        secure: !this.config.endpoint?.startsWith('http://'),
        timeout: 120_000,
        retryMax: 3,
        agent: this.#http,
        httpsAgent: this.#https,
      } as OSS.Options);
      await this.#refuseVersioned(oss);
      return oss;
    })();
    return this.#client;
  }

  /**
   * OSS ignores `x-oss-forbid-overwrite` in a bucket whose versioning is enabled or suspended: a second
   * catalog put would replace the first, and two writers could both commit. Such a bucket is refused.
   */
  async #refuseVersioned(oss: OSS): Promise<void> {
    let status: string | undefined;
    try {
      // In ali-oss, not in its type declarations.
      const versioned = oss as unknown as {
        getBucketVersioning(b: string): Promise<{ versionStatus?: string }>;
      };
      status = (await versioned.getBucketVersioning(this.bucket)).versionStatus;
    } catch (error) {
      throw this.#failed('read the versioning of', '', error);
    }
    if (status === 'Enabled' || status === 'Suspended')
      throw new ArchiveUsageError(
        `oss://${this.bucket}: the bucket's versioning is ${status}, and OSS then overwrites objects a put forbids it to overwrite, so two writers could both commit: keep the archive in a bucket whose versioning was never enabled`,
        `oss://${this.bucket}/${this.prefix}`,
      );
  }

  async get(key: string): Promise<Buffer | undefined> {
    const oss = await this.#oss();
    try {
      const out = await oss.get(this.#key(key));
      return Buffer.isBuffer(out.content) ? out.content : Buffer.from(out.content);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.#failed('read', key, error);
    }
  }

  async putIfAbsent(key: string, body: Buffer): Promise<boolean> {
    const oss = await this.#oss();
    try {
      await oss.put(this.#key(key), body, { headers: { 'x-oss-forbid-overwrite': 'true' } });
      return true;
    } catch (error) {
      // Taken: by another writer, or by this very put when a retry followed an attempt that landed.
      if (statusOf(error) === 409 && codeOf(error) === 'FileAlreadyExists')
        return (await this.get(key))?.equals(body) ?? false;
      throw this.#failed('write', key, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const oss = await this.#oss();
    const found: StoredObject[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let out: Awaited<ReturnType<OSS['listV2']>> & { nextContinuationToken?: string | null };
      try {
        out = await oss.listV2(
          {
            prefix: this.#key(prefix),
            'max-keys': '1000',
            ...(token ? { 'continuation-token': token } : {}),
          },
          {},
        );
      } catch (error) {
        throw this.#failed('list', prefix, error);
      }
      for (const o of out.objects ?? [])
        found.push({
          key: o.name.slice(strip),
          lastModified: new Date(o.lastModified),
          size: Number(o.size),
        });
      token = out.isTruncated ? (out.nextContinuationToken ?? undefined) : undefined;
    } while (token);
    return found;
  }

  async delete(key: string): Promise<void> {
    const oss = await this.#oss();
    try {
      await oss.delete(this.#key(key));
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.#failed('delete', key, error);
    }
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  /** An error naming the object and OSS's answer (never a key or a token). */
  #failed(what: string, key: string, error: unknown): ArchiveStoreError {
    const status = statusOf(error);
    const code = codeOf(error);
    // ali-oss gives no HTTP status (-1, -2) when the request never got an answer: say why it did not.
    const answer =
      status && status > 0
        ? `${code ?? 'error'} (HTTP ${status})`
        : `no answer (${String((error as Error).message)
            .split(/[\n(]/)[0]
            ?.trim()})`;
    return new ArchiveStoreError(
      `cannot ${what} oss://${this.bucket}${key ? `/${this.#key(key)}` : ''}: ${answer}; check OSS_REGION / OSS_ENDPOINT, the bucket, and that the AccessKey in use may ${what} it`,
      `oss://${this.bucket}/${this.prefix}`,
      { cause: error },
    );
  }
}

const statusOf = (error: unknown): number | undefined => (error as { status?: number } | undefined)?.status;
const codeOf = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;
