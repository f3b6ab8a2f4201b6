import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { AccessKeyConfig } from './access-key-config.js';
import type { IncomingApiRequest } from './incoming-request.js';
import { NonceRegistry } from './nonce-registry.js';
import { sha256Hex, signatureV2, signatureV3 } from './signature.js';

/** What a verified request proved. */
export interface Caller {
  accessKeyId: string;
  signatureVersion: 'v2' | 'v3';
  /** The action named by the signed request (`Action` for V2, `x-acs-action` for V3). */
  action: string;
  version: string;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

const incomplete = (what: string) =>
  new ApiError(
    'IncompleteSignature',
    400,
    `The request signature does not conform to Aliyun standards: ${what}.`,
  );

/** Checks signatures (V2 and V3), time-stamps, nonces and STS tokens as the cloud does. */
export class Authenticator {
  readonly #keys: Map<string, AccessKeyConfig>;
  readonly #nonces: NonceRegistry;

  /** Accepts `keys`, and time-stamps at most `maxSkewMs` from the real clock. */
  constructor(
    keys: readonly AccessKeyConfig[],
    private readonly maxSkewMs: number,
  ) {
    this.#keys = new Map(keys.map((k) => [k.accessKeyId, k]));
    this.#nonces = new NonceRegistry(maxSkewMs * 2);
  }

  /** The caller a request proves to be; otherwise the cloud's refusal, as an {@link ApiError}. */
  authenticate(request: IncomingApiRequest): Caller {
    const authorization = request.headers.authorization ?? '';
    return authorization.startsWith('ACS3-')
      ? this.#verifyV3(request, authorization)
      : this.#verifyV2(request);
  }

  #verifyV2(request: IncomingApiRequest): Caller {
    const p = request.params;
    for (const name of [
      'AccessKeyId',
      'Signature',
      'SignatureNonce',
      'Timestamp',
      'SignatureMethod',
    ] as const) {
      if (!p[name]) throw incomplete(`the parameter ${name} is missing`);
    }
    if (p.SignatureMethod !== 'HMAC-SHA1')
      throw incomplete(`SignatureMethod must be HMAC-SHA1, got ${p.SignatureMethod}`);
    if (p.SignatureVersion !== undefined && p.SignatureVersion !== '1.0') {
      throw incomplete(`SignatureVersion must be 1.0, got ${p.SignatureVersion}`);
    }
    const key = this.#key(p.AccessKeyId as string);
    const expected = signatureV2(request.method, p, key.accessKeySecret);
    if (!sameText(expected, p.Signature as string)) {
      throw new ApiError(
        'SignatureDoesNotMatch',
        400,
        'Specified signature is not matched with our calculation. Check the access key secret and the string to sign.',
      );
    }
    this.#checkTime(p.Timestamp as string);
    this.#checkNonce(key.accessKeyId, p.SignatureNonce as string);
    this.#checkToken(key, p.SecurityToken);
    return {
      accessKeyId: key.accessKeyId,
      signatureVersion: 'v2',
      action: p.Action ?? '',
      version: p.Version ?? '',
    };
  }

  #verifyV3(request: IncomingApiRequest, authorization: string): Caller {
    const match =
      /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/i.exec(
        authorization.trim(),
      );
    if (!match)
      throw incomplete(
        'the Authorization header is not ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…',
      );
    const [, accessKeyId = '', signedList = '', signature = ''] = match;
    const signedHeaders = signedList.toLowerCase().split(';');
    const h = request.headers;
    for (const name of [
      'x-acs-action',
      'x-acs-version',
      'x-acs-date',
      'x-acs-signature-nonce',
      'x-acs-content-sha256',
    ]) {
      if (!h[name]) throw incomplete(`the header ${name} is missing`);
    }
    const required = ['host', ...Object.keys(h).filter((n) => n.startsWith('x-acs-'))];
    const unsigned = required.filter((n) => !signedHeaders.includes(n));
    if (unsigned.length > 0) throw incomplete(`SignedHeaders must include ${unsigned.join(', ')}`);
    const key = this.#key(accessKeyId);
    const payloadHash = sha256Hex(request.body);
    if (payloadHash !== h['x-acs-content-sha256']) {
      throw new ApiError(
        'SignatureDoesNotMatch',
        400,
        'The x-acs-content-sha256 header does not match the request body.',
      );
    }
    const expected = signatureV3(
      { method: request.method, query: request.query, headers: h, signedHeaders, payloadHash },
      key.accessKeySecret,
    );
    if (!sameText(expected, signature.toLowerCase())) {
      throw new ApiError(
        'SignatureDoesNotMatch',
        400,
        'Specified signature is not matched with our calculation. Check the access key secret and the canonical request.',
      );
    }
    this.#checkTime(h['x-acs-date'] as string);
    this.#checkNonce(key.accessKeyId, h['x-acs-signature-nonce'] as string);
    this.#checkToken(key, h['x-acs-security-token'] ?? request.params.SecurityToken);
    return {
      accessKeyId: key.accessKeyId,
      signatureVersion: 'v3',
      action: h['x-acs-action'] as string,
      version: h['x-acs-version'] as string,
    };
  }

  #key(accessKeyId: string): AccessKeyConfig {
    const key = this.#keys.get(accessKeyId);
    if (!key) throw new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    return key;
  }

  #checkTime(timestamp: string): void {
    const m = TIMESTAMP.exec(timestamp);
    const at = m ? Date.parse(timestamp) : Number.NaN;
    if (!Number.isFinite(at)) {
      throw new ApiError(
        'InvalidTimeStamp.Format',
        400,
        `Specified time stamp "${timestamp}" is not in the format YYYY-MM-DDThh:mm:ssZ.`,
      );
    }
    if (Math.abs(Date.now() - at) > this.maxSkewMs) {
      throw new ApiError(
        'InvalidTimeStamp.Expired',
        400,
        `Specified time stamp or date value is expired: ${timestamp} is more than ${Math.round(this.maxSkewMs / 60000)} minutes from the server time ${new Date().toISOString()}.`,
      );
    }
  }

  #checkNonce(accessKeyId: string, nonce: string): void {
    if (!this.#nonces.register(`${accessKeyId}\n${nonce}`)) {
      throw new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    }
  }

  #checkToken(key: AccessKeyConfig, token: string | undefined): void {
    if ((key.securityToken ?? '') !== (token ?? '')) {
      throw new ApiError(
        'InvalidSecurityToken.MismatchWithAccessKey',
        400,
        'Specified SecurityToken mismatch with the AccessKey.',
      );
    }
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
