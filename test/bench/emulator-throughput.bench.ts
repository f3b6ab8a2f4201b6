import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { canonicalQuery, signatureV2 } from '@swas-archive/emulator';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

/**
 * `DescribeInvocations` pages of 50 served per second by the emulator (its own process, faults off),
 * with V2 signatures verified, several requests in flight over keep-alive connections.
 */
export async function emulatorThroughput(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '1',
    '--regions',
    '1',
    '--instances-per-region',
    '20',
    '--invocations',
    '200000',
    '--clock-speed',
    '0',
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const list = await call(emu, agent, {
      Action: 'ListInstances',
      RegionId: 'cn-hangzhou',
      PageSize: '100',
    });
    const ids = (JSON.parse(list) as { Instances: { InstanceId: string }[] }).Instances.map(
      (i) => i.InstanceId,
    );
    // Only full pages: every (instance, page) pair below holds 50 records.
    const targets: { instanceId: string; page: number }[] = [];
    for (const instanceId of ids) {
      const first = await call(emu, agent, {
        Action: 'DescribeInvocations',
        RegionId: 'cn-hangzhou',
        InstanceId: instanceId,
        PageSize: '50',
      });
      const full = Math.floor((JSON.parse(first) as { TotalCount: number }).TotalCount / 50);
      for (let page = 1; page <= full; page++) targets.push({ instanceId, page });
    }
    const inFlight = 8;
    const seconds = 6;
    let pages = 0;
    let records = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        let n = worker;
        while (performance.now() < until) {
          const { instanceId, page } = targets[n % targets.length] as (typeof targets)[number];
          await call(emu, agent, {
            Action: 'DescribeInvocations',
            RegionId: 'cn-hangzhou',
            InstanceId: instanceId,
            PageNumber: String(page),
            PageSize: '50',
          });
          records += 50;
          pages++;
          n += inFlight;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return {
      bench: 'emulator-throughput',
      figures: [
        {
          name: 'DescribeInvocations pages of 50 served',
          value: Math.round(pages / elapsed),
          unit: 'pages/s',
          goal: { value: 2000, better: 'higher' },
          note: `${inFlight} in flight, V2 signatures`,
        },
        { name: 'records served', value: Math.round(records / elapsed), unit: 'records/s' },
      ],
    };
  } finally {
    agent.destroy();
    await emu.stop();
  }
}

function call(
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
