import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorAdmin } from './emulator-admin.js';
import type { EmulatorOptions } from './emulator-options.js';
import { EmulatorOptionsError } from './errors.js';
import { FleetStore } from './fleet/fleet-store.js';
import type { AccessKeyConfig } from './http/access-key-config.js';
import { adminPath, serveAdminRequest } from './http/admin-routes.js';
import { type ApiServerParts, serveApiRequest } from './http/api-server.js';
import { Authenticator } from './http/authenticator.js';
import { FaultInjector } from './http/fault-injector.js';
import { RateBudget } from './http/rate-budget.js';
import { RequestLog } from './http/request-log.js';
import { integer } from './option-checks.js';
import { Random } from './random.js';
import { VirtualClock } from './virtual-clock.js';

/** A running emulator. */
export interface RunningEmulator {
  /** `http://host:port`, to use as the client's endpoint for every region. */
  endpoint: string;
  /** The accepted access keys (the first is the one to use by default). */
  credentials: readonly AccessKeyConfig[];
  /** Ground truth, request log, and control of the clock, faults and fleet. */
  admin: EmulatorAdmin;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts an emulator of the SWAS OpenAPI on a local port.
 * @throws {EmulatorOptionsError} when an option is invalid (code `emulator.options`, naming it).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = integer('seed', options.seed ?? 42);
  const order = options.order ?? 'newest-first';
  if (order !== 'newest-first' && order !== 'oldest-first') {
    throw new EmulatorOptionsError(
      'order',
      `Expected \`order\` to be newest-first or oldest-first, got ${String(order)}`,
    );
  }
  const clock = new VirtualClock(options.clock);
  const store = new FleetStore({
    seed,
    fleet: options.fleet ?? {},
    retention: options.retention ?? {},
    live: options.live ?? {},
    start: clock.origin,
  });
  const credentials = options.credentials?.length ? options.credentials : [defaultKey(seed)];
  const log = new RequestLog(options.requestLogLimit);
  const faults = new FaultInjector(seed, options.faults);
  const admin = new EmulatorAdmin(clock, store, log, faults);
  const api: ApiServerParts = {
    clock,
    store,
    log,
    faults,
    order,
    auth: new Authenticator(credentials, options.maxClockSkewMs ?? 15 * 60_000),
    budget: new RateBudget(options.budgets),
    regionEndpoint: options.regionEndpoint ?? ((regionId: string) => `swas.${regionId}.aliyuncs.com`),
    forbidden: forbiddenActions(credentials),
    beforeAnswer: options.beforeAnswer,
  };
  const adminRoutes = options.adminHttp ? { admin, path: adminPath(options.adminPrefix) } : undefined;
  const server = createServer(route(api, adminRoutes));
  server.keepAliveTimeout = 30_000;
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return running(server, credentials, admin);
}

/** Sends admin paths to the admin routes (when served) and everything else to the API. */
function route(api: ApiServerParts, adminRoutes?: { admin: EmulatorAdmin; path: string }): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const work =
      adminRoutes && url.startsWith(adminRoutes.path)
        ? serveAdminRequest(adminRoutes.admin, url.slice(adminRoutes.path.length - 1), req, res)
        : serveApiRequest(api, req, res);
    work.catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator bug: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
}

function forbiddenActions(credentials: readonly AccessKeyConfig[]): ApiServerParts['forbidden'] {
  const byId = new Map(credentials.map((k) => [k.accessKeyId, k]));
  return (id, action) => byId.get(id)?.forbiddenActions?.includes(action) ?? false;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function running(
  server: Server,
  credentials: readonly AccessKeyConfig[],
  admin: EmulatorAdmin,
): RunningEmulator {
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    endpoint: `http://${host}:${port}`,
    credentials,
    admin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A key pair that looks like a real one, the same for the same seed. */
function defaultKey(seed: number): AccessKeyConfig {
  const random = Random.derive(seed, 'credentials');
  return { accessKeyId: `LTAI5t${random.base36(18)}`, accessKeySecret: random.base36(30) };
}
