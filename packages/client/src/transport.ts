import RPCClient from '@alicloud/pop-core';
import { classifyApiFailure, transportFailure } from './classify-error.js';
import type { ResolvedCredentials } from './credentials.js';
import { SwasApiError, type SwasErrorContext } from './errors.js';
import type { Redactor } from './redactor.js';

export const API_VERSION = '2020-06-01';

type Params = Record<string, string | number | undefined>;

interface PopEntry {
  response?: { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
}

/** What pop-core throws for an API error. */
interface PopApiError extends Error {
  code: string;
  data?: { RequestId?: string; Message?: string; Code?: string };
  entry?: PopEntry;
}

/**
 * Signs and sends requests through `@alicloud/pop-core` (signature V2, POST, form body) and turns every
 * failure into a {@link SwasApiError}. One pop-core client (one keep-alive agent) per endpoint.
 */
export class PopTransport {
  readonly #clients = new Map<string, RPCClient>();

  constructor(
    private readonly credentials: ResolvedCredentials,
    private readonly redactor: Redactor,
    private readonly timeoutMs: number,
  ) {}

  async call(
    endpoint: string,
    action: string,
    params: Params,
    ctx: SwasErrorContext,
  ): Promise<{ body: unknown; httpStatus: number }> {
    // pop-core sends `undefined` as the text "undefined": drop unset parameters here.
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) sent[k] = String(v);
    const client = this.#client(endpoint);
    let result: [unknown, PopEntry];
    try {
      result = (await client.request(action, sent, {
        method: 'POST',
        timeout: this.timeoutMs,
        formatParams: false,
      })) as [unknown, PopEntry];
    } catch (error) {
      throw this.#failure(error, ctx, endpoint);
    }
    const [body, entry] = result;
    const httpStatus = entry.response?.statusCode ?? 0;
    if (httpStatus >= 400) {
      // An error status whose body has no `Code` (pop-core only throws when there is one).
      throw classifyApiFailure({ code: `HTTP${httpStatus}`, httpStatus }, ctx, this.credentials);
    }
    return { body, httpStatus };
  }

  #client(endpoint: string): RPCClient {
    let client = this.#clients.get(endpoint);
    if (!client) {
      const config = {
        endpoint,
        apiVersion: API_VERSION,
        credentialsProvider: { getCredentials: () => this.credentials.getCredentials() },
      };
      // pop-core's second argument (verbose, missing from its typings) makes it return the HTTP status and
      // headers with the body.
      const VerboseRPCClient = RPCClient as unknown as new (config: unknown, verbose: boolean) => RPCClient;
      client = new VerboseRPCClient(config, true);
      this.#clients.set(endpoint, client);
    }
    return client;
  }

  #failure(error: unknown, ctx: SwasErrorContext, endpoint: string): Error {
    if (error instanceof SwasApiError) return error; // already ours (credentials)
    const scrub = (s: unknown) => this.redactor.scrub(String(s ?? ''));
    const e = error as Partial<PopApiError> & { name?: string; message?: string; code?: string };
    if (e && typeof e === 'object' && e.data && typeof e.code === 'string') {
      const headers = e.entry?.response?.headers ?? {};
      const retryAfter = Number(headers['x-acs-retry-after']);
      return classifyApiFailure(
        {
          code: e.code,
          httpStatus: e.entry?.response?.statusCode,
          requestId: e.data.RequestId,
          serverMessage: e.data.Message === undefined ? undefined : scrub(e.data.Message),
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
        },
        ctx,
        this.credentials,
      );
    }
    // json-bigint throws a plain object `{ name: 'SyntaxError', message, at, text }` for a body that is not
    // JSON (truncated, an HTML error page): its text is not kept, it may be large.
    if (e && typeof e === 'object' && e.name === 'SyntaxError') {
      return transportFailure('MalformedResponse', 'the answer is not JSON', ctx, endpoint);
    }
    const code = typeof e?.code === 'string' && e.code ? e.code : (e?.name ?? 'NetworkError');
    return transportFailure(
      code,
      causeOf(code, scrub(e?.message ?? String(error)), this.timeoutMs),
      ctx,
      endpoint,
    );
  }
}

/**
 * What a transport failure means, in words: pop-core's own messages run the address into the URL
 * (`connect ECONNREFUSED 127.0.0.1:1POST http://…`).
 */
function causeOf(code: string, message: string, timeoutMs: number): string {
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens at that address';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNRESET' || /socket hang up/i.test(message)) return 'the connection was reset';
  if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH')
    return 'the address cannot be reached';
  if (/timeout/i.test(code) || /timeout/i.test(message)) return `no complete answer within ${timeoutMs} ms`;
  return message.split(/POST https?:\/\//)[0]?.trim() || message;
}
