import { createHash, createHmac } from 'node:crypto';

const UNRESERVED = /^[A-Za-z0-9_.~-]*$/;

/** RFC 3986 percent-encoding as Alibaba Cloud signs: `encodeURIComponent` plus `!'()*`. */
function percentEncode(value: string): string {
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parameters sorted by key (code-unit order), encoded and joined as `k=v&k=v`. */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort(compareCodeUnits)
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Signature V2: base64(HMAC-SHA1(secret + "&", METHOD&%2F&encode(canonical))). `Signature` is excluded. */
export function signatureV2(
  method: string,
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const { Signature: _omitted, ...rest } = params;
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(rest))}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

/** Hex SHA-256, as V3 signatures hash payloads and canonical requests. */
export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The parts of an ACS3-HMAC-SHA256 request that its signature covers. */
export interface V3SignedRequest {
  method: string;
  query: Readonly<Record<string, string>>;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, as sent in `x-acs-content-sha256`. */
  payloadHash: string;
}

/** Signature V3: hex HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex SHA-256(canonical request)). */
export function signatureV3(request: V3SignedRequest, secret: string): string {
  const headerLines = request.signedHeaders
    .map((name) => `${name}:${(request.headers[name] ?? '').trim()}\n`)
    .join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    '/',
    canonicalQuery(request.query),
    headerLines,
    request.signedHeaders.join(';'),
    request.payloadHash,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}
