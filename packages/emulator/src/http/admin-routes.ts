import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorAdmin } from '../emulator-admin.js';
import type { FaultOptions } from './fault-options.js';

/** The path under which the admin routes are served for `prefix`, with one slash at each end. */
export function adminPath(prefix = '/__emulator'): string {
  return `/${trimSlashes(prefix)}/`;
}

const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, '');

/**
 * The admin interface over HTTP, under a prefix the real API never uses:
 * `GET ground-truth`, `GET instances`, `GET requests`, `DELETE requests`, `GET clock`,
 * `POST clock/advance?ms=N`, `POST faults` (JSON body), `POST instances/<id>/release`.
 */
export async function serveAdminRequest(
  admin: EmulatorAdmin,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(route, 'http://emulator');
  const method = req.method ?? 'GET';
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  try {
    const path = trimSlashes(url.pathname);
    if (method === 'GET' && path === 'ground-truth') return reply(200, admin.groundTruth());
    if (method === 'GET' && path === 'instances') return reply(200, admin.instances());
    if (method === 'GET' && path === 'requests') return reply(200, admin.requestLog());
    if (method === 'DELETE' && path === 'requests') {
      admin.clearRequestLog();
      return reply(200, { cleared: true });
    }
    if (method === 'GET' && path === 'clock') return reply(200, { now: admin.nowIso() });
    if (method === 'POST' && path === 'clock/advance') {
      admin.advance(Number(url.searchParams.get('ms')));
      return reply(200, { now: admin.nowIso() });
    }
    if (method === 'POST' && path === 'faults') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      admin.setFaults(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as FaultOptions);
      return reply(200, { ok: true });
    }
    const release = /^instances\/([^/]+)\/release$/.exec(path);
    if (method === 'POST' && release) {
      admin.release(decodeURIComponent(release[1] as string));
      return reply(200, { ok: true });
    }
    return reply(404, { error: `no admin route ${method} ${path}` });
  } catch (error) {
    return reply(400, { error: error instanceof Error ? error.message : String(error) });
  }
}
