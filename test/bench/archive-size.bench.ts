import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InvocationObservation, type ObservedResult, openArchive } from '@swas-archive/archive';
import { createSwasClient } from '@swas-archive/client';
import { signedCall } from '../helpers/signed-call.js';
import { spawnEmulator } from '../helpers/spawn-emulator.js';
import type { BenchResult } from './results.js';

/**
 * Bytes on disk of the archive against the raw JSON the API sent for the same invocations: every page of
 * `DescribeInvocations` for every instance, and `DescribeInvocationResult` for one in five.
 * (One function on purpose: a benchmark reads as its procedure, top to bottom.)
 */
export async function archiveSize(): Promise<BenchResult> {
  const emu = await spawnEmulator([
    '--seed',
    '3',
    '--regions',
    '3',
    '--instances-per-region',
    '10',
    '--invocations',
    '60000',
    '--clock-speed',
    '0',
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const root = await mkdtemp(join(tmpdir(), 'bench-size-'));
  try {
    const client = createSwasClient({ endpoint: emu.endpoint, credentials: emu });
    const observedAt = new Date();
    let rawBytes = 0;
    const archive = await openArchive({ root });
    const snapshot = archive.beginSnapshot('bench-size');
    let records = 0;
    for (const region of await client.listRegions()) {
      const instances = await client.listInstances({ regionId: region.regionId, pageSize: 100 });
      for (const instance of instances.items) {
        for (let pageNumber = 1; ; pageNumber++) {
          const params = {
            Action: 'DescribeInvocations',
            RegionId: region.regionId,
            InstanceId: instance.instanceId,
            PageNumber: String(pageNumber),
            PageSize: '50',
          };
          rawBytes += Buffer.byteLength(await signedCall(emu, agent, params));
          const page = await client.describeInvocations({
            regionId: region.regionId,
            instanceId: instance.instanceId,
            pageNumber,
            pageSize: 50,
          });
          const observations: InvocationObservation[] = [];
          for (const inv of page.items) {
            let result: ObservedResult | undefined;
            if (records++ % 5 === 0 && inv.invokeStatus !== 'Running') {
              const q = {
                regionId: region.regionId,
                instanceId: instance.instanceId,
                invokeId: inv.invokeId,
              };
              rawBytes += Buffer.byteLength(
                await signedCall(emu, agent, {
                  Action: 'DescribeInvocationResult',
                  RegionId: q.regionId,
                  InstanceId: q.instanceId,
                  InvokeId: q.invokeId,
                }),
              );
              const r = await client.describeInvocationResult(q);
              result = {
                exitCode: r.exitCode,
                output: r.output,
                outputBase64: r.outputBase64,
                errorCode: r.errorCode,
                errorInfo: r.errorInfo,
                startTime: r.startTime,
                finishedTime: r.finishedTime,
                invokeUser: r.invokeUser,
              };
            }
            observations.push({
              account: 'bench',
              regionId: region.regionId,
              instanceId: instance.instanceId,
              ...inv,
              observedAt,
              result,
            });
          }
          await snapshot.addObservations(observations);
          if (page.items.length < 50) break;
        }
      }
    }
    await snapshot.commit();
    const parquetBytes = archive.catalog.files.reduce((s, f) => s + f.bytes, 0);
    await archive.close();
    return {
      bench: 'archive-size',
      figures: [
        {
          name: 'archive size / raw API JSON',
          value: Number((parquetBytes / rawBytes).toFixed(4)),
          unit: '×',
          goal: { value: 0.1, better: 'lower' },
          note: `${records.toLocaleString('en-US')} invocations, results for one in five`,
        },
        { name: 'raw API JSON', value: rawBytes, unit: 'bytes' },
        { name: 'Parquet on disk', value: parquetBytes, unit: 'bytes' },
        { name: 'Parquet per invocation', value: Number((parquetBytes / records).toFixed(1)), unit: 'bytes' },
      ],
    };
  } finally {
    agent.destroy();
    await emu.stop();
    await rm(root, { recursive: true, force: true });
  }
}
