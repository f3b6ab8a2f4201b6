import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** A local S3-compatible server for tests: its endpoint, the AWS variables that reach it, and stop. */
export interface S3TestServer {
  endpoint: string;
  env: NodeJS.ProcessEnv;
  /** Conditional puts refused with 412 so far. */
  refused(): number;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (the registry's S3 server, which stores objects in a temp folder) behind a small proxy
 * that adds what s3rver 3.7.1 predates: `PUT` with `If-None-Match: *` answers 412 when the key exists.
 * The proxy serializes conditional puts per key (check, then forward), so of two racing puts of one key
 * exactly one succeeds, as on S3. Everything else passes through unchanged (signatures included).
 */
export async function startS3TestServer(bucket: string): Promise<S3TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const upstream = (await s3rver.run()) as AddressInfo;
  let refused = 0;
  const busy = new Map<string, Promise<void>>();
  const proxy = createServer((req, res) => {
    const conditional = req.method === 'PUT' && req.headers['if-none-match'] === '*';
    if (!conditional) return void forward(req, res, upstream.port);
    const key = (req.url ?? '').split('?')[0] ?? '';
    const before = busy.get(key) ?? Promise.resolve();
    const turn = before.then(async () => {
      if ((await headStatus(upstream.port, key)) === 200) {
        refused++;
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
        );
        return;
      }
      await forward(req, res, upstream.port);
    });
    busy.set(
      key,
      turn.catch(() => undefined),
    );
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_S3_FORCE_PATH_STYLE: 'true',
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    env,
    refused: () => refused,
    async stop() {
      await new Promise<void>((ok) => closeServer(proxy, ok));
      await s3rver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function closeServer(server: Server, done: () => void): void {
  server.closeAllConnections();
  server.close(() => done());
}

/** Forwards one request to the server on `port`; resolves when the answer is sent. */
function forward(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  return new Promise((done) => {
    const out = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res).on('finish', () => done());
      },
    );
    out.on('error', () => {
      res.writeHead(502).end();
      done();
    });
    req.pipe(out);
  });
}

/** The status of an unsigned HEAD of `path` on the server on `port`. */
function headStatus(port: number, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const out = request({ host: '127.0.0.1', port, method: 'HEAD', path }, (answer) => {
      answer.resume();
      ok(answer.statusCode ?? 0);
    });
    out.on('error', fail);
    out.end();
  });
}
