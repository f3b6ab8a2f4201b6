import { randomUUID } from 'node:crypto';
import type { AccessKeyConfig } from '../http/access-key-config.js';
import { canonicalQuery, signatureV2 } from '../http/signature.js';

/** Overrides for a hand-made V2 request, to produce requests that real clients never send. */
export interface RawRequestOptions {
  method?: 'GET' | 'POST';
  timestamp?: string;
  nonce?: string;
  secret?: string;
  securityToken?: string;
  /** Parameters to remove after signing defaults are added (e.g. `Signature`). */
  omit?: readonly string[];
}

/** Sends a V2-signed request built by hand (tests only) and returns the status and parsed JSON. */
export async function rawRequest(
  endpoint: string,
  key: AccessKeyConfig,
  params: Record<string, string>,
  options: RawRequestOptions = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const method = options.method ?? 'POST';
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: '2020-06-01',
    AccessKeyId: key.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomUUID(),
    Timestamp: options.timestamp ?? `${new Date().toISOString().slice(0, 19)}Z`,
    ...(options.securityToken ? { SecurityToken: options.securityToken } : {}),
    ...params,
  };
  all.Signature = signatureV2(method, all, options.secret ?? key.accessKeySecret);
  for (const name of options.omit ?? []) delete all[name];
  const query = canonicalQuery(all);
  const response =
    method === 'GET'
      ? await fetch(`${endpoint}/?${query}`)
      : await fetch(`${endpoint}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: query,
        });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // XML or truncated bodies are returned as text only.
  }
  return { status: response.status, body, text, headers: response.headers };
}
