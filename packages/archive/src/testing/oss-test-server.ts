import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local OSS-compatible server for tests: the variables that reach it, and stop. */
export interface OssTestServer {
  endpoint: string;
  env: NodeJS.ProcessEnv;
  /** Puts with `x-oss-forbid-overwrite: true` refused with 409 so far. */
  refused(): number;
  /** Requests refused for their signature so far. */
  badSignatures(): number;
  stop(): Promise<void>;
}

interface Obj {
  body: Buffer;
  lastModified: Date;
  etag: string;
}

const KEY_ID = 'LTAIosstestkey0001';
const SECRET = 'oss-test-secret-0001';
const REGION = 'cn-hangzhou';

/**
 * No OSS server ships in the registry, so this is the part of OSS's HTTP API that an archive uses, as
 * Alibaba documents it: PutObject (with `x-oss-forbid-overwrite`, and Content-MD5 checked), GetObject,
 * DeleteObject, GetBucketVersioning (never set, unless `options.versioning`) and ListObjectsV2 (1,000 keys a page at most, continuation tokens), bucket from the
 * virtual host (`bucket.oss-<region>.aliyuncs.com`, which ali-oss sends to an IP endpoint), every request
 * signed with OSS4-HMAC-SHA256 and refused with `SignatureDoesNotMatch` otherwise. Objects live in memory.
 */
export async function startOssTestServer(
  bucket: string,
  options: { versioning?: 'Enabled' | 'Suspended' } = {},
): Promise<OssTestServer> {
  const objects = new Map<string, Obj>();
  let refused = 0;
  let badSignatures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const url = new URL(req.url ?? '/', 'http://oss');
        const host = String(req.headers.host ?? '');
        const name = host.split('.')[0] ?? '';
        const key = decodeURIComponent(url.pathname.slice(1));
        if (!signedRight(req, url, name, key)) {
          badSignatures++;
          return fail(
            res,
            403,
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match',
          );
        }
        if (name !== bucket) return fail(res, 404, 'NoSuchBucket', 'The specified bucket does not exist.');
        const body = Buffer.concat(chunks);
        if (req.method === 'GET' && key === '' && url.searchParams.has('versioning')) {
          const status = options.versioning ? `<Status>${options.versioning}</Status>` : '';
          res.writeHead(200, { 'content-type': 'application/xml' });
          return void res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration>${status}</VersioningConfiguration>`,
          );
        }
        if (req.method === 'GET' && key === '') return list(res, url, bucket, objects);
        if (req.method === 'PUT') {
          const md5 = req.headers['content-md5'];
          if (md5 && md5 !== createHash('md5').update(body).digest('base64'))
            return fail(res, 400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
          if (req.headers['x-oss-forbid-overwrite'] === 'true' && objects.has(key)) {
            refused++;
            return fail(res, 409, 'FileAlreadyExists', 'The object you specified already exists.');
          }
          const etag = `"${createHash('md5').update(body).digest('hex').toUpperCase()}"`;
          objects.set(key, { body, lastModified: new Date(), etag });
          return void res.writeHead(200, { etag }).end();
        }
        const obj = objects.get(key);
        if (req.method === 'DELETE') {
          objects.delete(key);
          return void res.writeHead(204).end();
        }
        if (req.method === 'GET' || req.method === 'HEAD') {
          if (!obj) return fail(res, 404, 'NoSuchKey', 'The specified key does not exist.');
          res.writeHead(200, {
            'content-length': obj.body.length,
            etag: obj.etag,
            'last-modified': obj.lastModified.toUTCString(),
          });
          return void res.end(req.method === 'HEAD' ? undefined : obj.body);
        }
        fail(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      } catch (error) {
        fail(res, 500, 'InternalError', (error as Error).message);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    env: {
      OSS_ENDPOINT: endpoint,
      OSS_REGION: REGION,
      OSS_ACCESS_KEY_ID: KEY_ID,
      OSS_ACCESS_KEY_SECRET: SECRET,
    },
    refused: () => refused,
    badSignatures: () => badSignatures,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-oss-request-id': 'test' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>test</RequestId></Error>`,
  );
}

/** ListObjectsV2 in key order, at most `max-keys` (≤ 1,000) a page; the token is the last key given. */
function list(res: ServerResponse, url: URL, bucket: string, objects: Map<string, Obj>): void {
  const prefix = url.searchParams.get('prefix') ?? '';
  const max = Math.min(Number(url.searchParams.get('max-keys') ?? 100), 1000);
  const after = url.searchParams.get('continuation-token');
  const from = after ? Buffer.from(after, 'base64url').toString() : '';
  const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > from).sort(byBytes);
  const page = keys.slice(0, max);
  const truncated = keys.length > max;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const contents = page
    .map((k) => {
      const o = objects.get(k) as Obj;
      return `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${esc(o.etag)}</ETag><Type>Normal</Type><Size>${o.body.length}</Size><StorageClass>Standard</StorageClass></Contents>`;
    })
    .join('');
  const next = truncated
    ? `<NextContinuationToken>${Buffer.from(page.at(-1) ?? '').toString('base64url')}</NextContinuationToken>`
    : '';
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${bucket}</Name><Prefix>${esc(prefix)}</Prefix><MaxKeys>${max}</MaxKeys><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`,
  );
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** RFC 3986 encoding, as OSS's V4 canonical request wants it. */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Checks an OSS4-HMAC-SHA256 signature as OSS documents it: canonical request (verb, URI `/bucket/key`,
 * sorted query, content-type / content-md5 / x-oss-* headers, additional headers, payload hash), string to
 * sign with the date and scope, key derived from "aliyun_v4" + secret through date, region, "oss" and
 * "aliyun_v4_request". Also refuses a date more than 15 minutes away.
 */
function signedRight(req: IncomingMessage, url: URL, bucket: string, key: string): boolean {
  const auth =
    /^OSS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/oss\/aliyun_v4_request,(?:AdditionalHeaders=([^,]*),)?Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization ?? ''),
    );
  const date = String(req.headers['x-oss-date'] ?? '');
  if (!auth || auth[1] !== KEY_ID || auth[3] !== REGION || !date.startsWith(auth[2] ?? '-')) return false;
  const when = Date.parse(
    date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (!(Math.abs(Date.now() - when) < 15 * 60_000)) return false;
  const additional = auth[4] ? auth[4].split(';') : [];
  const query = [...url.searchParams.entries()]
    // A parameter without a value (`?versioning`, which clients may send as `?versioning=`) is its key alone.
    .map(([k, v]) => [encode(k), v === '' ? undefined : encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === undefined ? k : `${k}=${v}`))
    .join('&');
  const names = Object.keys(req.headers)
    .filter(
      (h) => h === 'content-type' || h === 'content-md5' || h.startsWith('x-oss-') || additional.includes(h),
    )
    .sort();
  const canonical = [
    req.method,
    encode(`/${bucket}/${key}`).replace(/%2F/g, '/'),
    query,
    names.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join(''),
    additional.join(';'),
    String(req.headers['x-oss-content-sha256'] ?? 'UNSIGNED-PAYLOAD'),
  ].join('\n');
  const scope = `${auth[2]}/${REGION}/oss/aliyun_v4_request`;
  const toSign = `OSS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  let k: Buffer = createHmac('sha256', `aliyun_v4${SECRET}`)
    .update(auth[2] ?? '')
    .digest();
  for (const part of [REGION, 'oss', 'aliyun_v4_request']) k = createHmac('sha256', k).update(part).digest();
  const want = createHmac('sha256', k).update(toSign).digest();
  return timingSafeEqual(want, Buffer.from(auth[5] ?? '', 'hex'));
}
