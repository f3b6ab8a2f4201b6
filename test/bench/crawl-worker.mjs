// One crawl in a process of its own, in plain JavaScript over the built packages (as the swas-archive
// command runs), so that its peak memory is the crawler's alone. Prints one line of JSON:
// {"records", "seconds", "peakRssMb", "outcome"}.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import { createSwasClient } from '@swas-archive/client';
import { crawl } from '@swas-archive/crawler';

const [endpoint = '', accessKeyId = '', accessKeySecret = '', inFlight = '1'] = process.argv.slice(2);
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const root = await mkdtemp(join(tmpdir(), 'bench-crawl-'));
const archive = await openArchive({ root });
const started = performance.now();
const report = await crawl({
  accounts: [
    {
      name: 'bench',
      api: createSwasClient({ endpoint, credentials: { accessKeyId, accessKeySecret }, timeoutMs: 30_000 }),
    },
  ],
  archive,
  budgets: {
    callsPerMinute: { ListRegions: 1e6, ListInstances: 1e6, DescribeInvocations: 1e7 },
    inFlight: { DescribeInvocations: Number(inFlight) },
  },
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
await archive.close();
await rm(root, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ records: report.recordsNew, seconds, peakRssMb: Math.round(peak / 2 ** 20), outcome: report.outcome })}\n`,
);
