import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ExportUsageError } from '../errors.js';
import { type ManifestSignature, signedBytes } from './export-manifest.js';

/** The fewest bytes an HMAC key file may hold. */
export const MIN_HMAC_KEY_BYTES = 32;

/** A key read from a file: an HMAC secret, or an Ed25519 key (private to sign, public or private to verify). */
export type ManifestKey =
  | { kind: 'hmac'; secret: Buffer }
  | { kind: 'ed25519'; key: KeyObject; private: boolean };

/**
 * Reads a key file: a PEM file (`-----BEGIN`) holds an Ed25519 key (a private key signs; a public or private
 * key verifies); anything else is an HMAC-SHA256 secret, its raw bytes, at least 32 of them.
 */
export async function readManifestKey(path: string, option: string): Promise<ManifestKey> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ExportUsageError(
      `cannot read the key file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      option,
      { cause: error },
    );
  }
  if (bytes.subarray(0, 64).toString('latin1').includes('-----BEGIN')) return pemKey(bytes, path, option);
  if (bytes.length < MIN_HMAC_KEY_BYTES) {
    throw new ExportUsageError(
      `the HMAC key in ${path} has ${bytes.length} bytes; use at least ${MIN_HMAC_KEY_BYTES} random bytes (e.g. head -c 32 /dev/urandom > key), or an Ed25519 PEM key`,
      option,
    );
  }
  return { kind: 'hmac', secret: bytes };
}

function pemKey(bytes: Buffer, path: string, option: string): ManifestKey {
  const text = bytes.toString('utf8');
  let key: KeyObject;
  let isPrivate = text.includes('PRIVATE KEY');
  try {
    key = isPrivate ? createPrivateKey(text) : createPublicKey(text);
  } catch (error) {
    throw new ExportUsageError(`cannot read the PEM key in ${path}: ${(error as Error).message}`, option, {
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ExportUsageError(
      `the PEM key in ${path} is ${key.asymmetricKeyType ?? 'not an asymmetric key'}; only Ed25519 keys sign manifests (openssl genpkey -algorithm ed25519)`,
      option,
    );
  }
  isPrivate = key.type === 'private';
  return { kind: 'ed25519', key, private: isPrivate };
}

/** Hex SHA-256 of an Ed25519 public key (DER, SPKI): the `keyId` of its signatures. */
function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Signs a manifest (its canonical form without hash and signature) with `key`. */
export function signManifest(manifest: Record<string, unknown>, key: ManifestKey): ManifestSignature {
  const bytes = signedBytes(manifest);
  if (key.kind === 'hmac') {
    return {
      algorithm: 'hmac-sha256',
      value: createHmac('sha256', key.secret).update(bytes).digest('base64'),
    };
  }
  if (!key.private)
    throw new ExportUsageError('an Ed25519 public key cannot sign: give the private key', 'signKey');
  return {
    algorithm: 'ed25519',
    keyId: keyIdOf(key.key),
    value: sign(null, bytes, key.key).toString('base64'),
  };
}

/** Whether `signature` is a valid signature of `manifest` by `key`; a reason when it is not. */
export function checkSignature(
  manifest: Record<string, unknown>,
  signature: ManifestSignature,
  key: ManifestKey,
): { valid: true } | { valid: false; reason: string } {
  const bytes = signedBytes(manifest);
  if (key.kind === 'hmac') {
    if (signature.algorithm !== 'hmac-sha256')
      return { valid: false, reason: `signed with ${signature.algorithm}, but the key is an HMAC key` };
    const expected = createHmac('sha256', key.secret).update(bytes).digest();
    const given = Buffer.from(String(signature.value), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? { valid: true }
      : { valid: false, reason: 'the HMAC does not match: the manifest was changed, or the key is another' };
  }
  if (signature.algorithm !== 'ed25519')
    return { valid: false, reason: `signed with ${signature.algorithm}, but the key is an Ed25519 key` };
  const pub = key.key.type === 'private' ? createPublicKey(key.key) : key.key;
  const ok = verify(null, bytes, pub, Buffer.from(String(signature.value), 'base64'));
  if (ok) return { valid: true };
  const other = signature.keyId && signature.keyId !== keyIdOf(pub) ? ' (signed by another key)' : '';
  return { valid: false, reason: `the Ed25519 signature does not verify${other}` };
}
