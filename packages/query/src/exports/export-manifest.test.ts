import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, manifestHash } from './export-manifest.js';
import { checkSignature, signManifest } from './manifest-signature.js';
import { parquetRowGroups } from './parquet-parts.js';

describe('canonicalJson', () => {
  it('sorts keys at every level by code unit, drops undefined, keeps arrays in order, no white space', () => {
    const value = { b: [3, { z: 1, a: 'é' }], a: null, c: undefined, B: true, '\u00e9': 1 };
    expect(canonicalJson(value)).toBe('{"B":true,"a":null,"b":[3,{"a":"é","z":1}],"é":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('the hash leaves out manifestSha256 and signature, and changes with any other field', () => {
    const m = { period: { since: 'x' }, totalRows: 3 };
    const h = manifestHash(m);
    expect(manifestHash({ ...m, manifestSha256: 'anything', signature: { value: 'v' } })).toBe(h);
    expect(manifestHash({ ...m, totalRows: 4 })).not.toBe(h);
  });
});

describe('manifest signatures', () => {
  const manifest = { files: [{ path: 'part-00001.csv', rows: 2 }], totalRows: 2 };

  it('HMAC: valid with its key, invalid with another or after an edit', () => {
    const key = { kind: 'hmac' as const, secret: randomBytes(32) };
    const sig = signManifest(manifest, key);
    expect(checkSignature(manifest, sig, key)).toEqual({ valid: true });
    expect(checkSignature(manifest, sig, { kind: 'hmac', secret: randomBytes(32) }).valid).toBe(false);
    expect(checkSignature({ ...manifest, totalRows: 1 }, sig, key).valid).toBe(false);
  });

  it('Ed25519: signed by the private key, checked by the public one; a public key cannot sign', () => {
    const pair = generateKeyPairSync('ed25519');
    const sig = signManifest(manifest, { kind: 'ed25519', key: pair.privateKey, private: true });
    const pub = { kind: 'ed25519' as const, key: pair.publicKey, private: false };
    expect(checkSignature(manifest, sig, pub)).toEqual({ valid: true });
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(checkSignature(manifest, sig, { kind: 'ed25519', key: other, private: false })).toEqual({
      valid: false,
      reason: 'the Ed25519 signature does not verify (signed by another key)',
    });
    expect(() => signManifest(manifest, pub)).toThrow(/public key cannot sign/);
  });
});

describe('parquetRowGroups', () => {
  it('cuts files into whole row groups of 2,048-row vectors, within 10% of the limit', () => {
    expect(() => parquetRowGroups(2047)).toThrow(/at least 2048/);
    expect(parquetRowGroups(2048)).toEqual({ rowGroup: 2048, perFile: 1 });
    for (const maxRows of [4096, 10_000, 100_000, 1_000_000, 5_000_000]) {
      const { rowGroup, perFile } = parquetRowGroups(maxRows);
      expect(rowGroup % 2048).toBe(0);
      expect(rowGroup * perFile).toBeLessThanOrEqual(maxRows);
      expect(rowGroup * perFile).toBeGreaterThanOrEqual(0.9 * Math.floor(maxRows / 2048) * 2048);
    }
  });
});
