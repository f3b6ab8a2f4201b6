import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '@swas-archive/archive';
import { createSwasClient } from '@swas-archive/client';
import { type CrawlOptions, type CrawlReport, crawl } from '@swas-archive/crawler';
import type { EmulatorProcess } from './spawn-emulator.js';

/** One crawl of an emulator process into a throw-away (or given) archive. */
export async function benchCrawl(
  emu: EmulatorProcess,
  options: Partial<CrawlOptions> = {},
  root?: string,
): Promise<{ report: CrawlReport; root: string }> {
  const dir = root ?? (await mkdtemp(join(tmpdir(), 'bench-crawl-')));
  const archive = await openArchive({ root: dir });
  try {
    const api = createSwasClient({ endpoint: emu.endpoint, credentials: emu, timeoutMs: 30_000 });
    const report = await crawl({ accounts: [{ name: 'bench', api }], archive, ...options });
    return { report, root: dir };
  } finally {
    await archive.close();
  }
}

export const removeArchive = (root: string) => rm(root, { recursive: true, force: true });

/** Fetches the emulator's request log over its admin routes. */
export async function requestLog(
  emu: EmulatorProcess,
): Promise<{ action: string; regionId?: string; timeMs: number; outcome: string }[]> {
  const res = await fetch(`${emu.admin}requests`);
  return (await res.json()) as { action: string; regionId?: string; timeMs: number; outcome: string }[];
}
