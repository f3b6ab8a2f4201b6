import type { IncomingMessage } from 'node:http';

/** A request as the emulator sees it after reading the body: every parameter decoded. */
export interface IncomingApiRequest {
  method: string;
  /** Decoded query-string parameters. */
  query: Record<string, string>;
  /** Query and form-body parameters together (body wins on a clash). */
  params: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Reads an HTTP request into an {@link IncomingApiRequest}. */
export async function readApiRequest(req: IncomingMessage): Promise<IncomingApiRequest> {
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const query = Object.fromEntries(url.searchParams);
  const params: Record<string, string> = { ...query };
  const contentType = req.headers['content-type'] ?? '';
  if (body.length > 0 && contentType.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  return { method: req.method ?? 'GET', query, params, headers, body };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  // Events rather than an async iterator: this runs for every request and the iterator costs more.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
