import { startEmulator } from '@swas-archive/emulator';
import { crawlOnce } from './harness.js';

/**
 * Crawls a small fleet (2 regions × 2 instances, 400 invocations, one new a minute) into `root` twice, a
 * day and two hours apart, the second time with the first instance failing: an archive whose period
 * 2026-05-20 … 2026-06-03 holds an unresolved gap. Returns that instance's id.
 */
export async function crawlWithGap(root: string, seed: number): Promise<string> {
  const emu = await startEmulator({
    seed,
    clock: { start: '2026-06-01T00:00:00Z', speed: 0 },
    fleet: { regions: 2, instancesPerRegion: 2, invocations: 400 },
    live: { invocationsPerMinute: 1 },
  });
  try {
    await crawlOnce(emu, root);
    const broken = emu.admin.instances()[0]?.instanceId ?? '';
    emu.admin.setFaults({ instances: { [broken]: { internalError: 1 } } });
    emu.admin.advance(26 * 3_600_000);
    await crawlOnce(emu, root, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    return broken;
  } finally {
    await emu.close();
  }
}
