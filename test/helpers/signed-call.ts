import { randomUUID } from 'node:crypto';
import { type Agent, request } from 'node:http';
import { canonicalQuery, signatureV2 } from '@swas-archive/emulator';

/** A key and where to send requests with it. */
export interface Target {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
}

/**
 * One V2-signed POST over a keep-alive agent, returning the raw body. Benchmarks use it where the
 * client library's own work would be measured too.
 */
export function signedCall(
  emu: { endpoint: string; accessKeyId: string; accessKeySecret: string },
  agent: Agent,
  params: Record<string, string>,
): Promise<string> {
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: '2020-06-01',
    AccessKeyId: emu.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: `${new Date().toISOString().slice(0, 19)}Z`,
    ...params,
  };
  all.Signature = signatureV2('POST', all, emu.accessKeySecret);
  const body = canonicalQuery(all);
  // The client must not be the bottleneck: it keeps the answer's bytes and checks only the status.
  return new Promise((resolve, reject) => {
    const req = request(
      `${emu.endpoint}/`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve(text);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
