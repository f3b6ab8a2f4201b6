import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Archive, openArchive } from '@swas-archive/archive';
import { createSwasClient, type SwasClient } from '@swas-archive/client';
import { type CrawlOptions, type CrawlReport, crawl } from '@swas-archive/crawler';
import {
  type EmulatorOptions,
  type GroundTruthInvocation,
  type RunningEmulator,
  startEmulator,
} from '@swas-archive/emulator';
import { QuerySession } from '@swas-archive/query';

/** Runs `fn` with an emulator on a free port, closed afterwards. */
export async function withEmulator<T>(
  options: EmulatorOptions,
  fn: (emu: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emu = await startEmulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/** Runs `fn` with a fresh archive folder, removed afterwards. */
export async function withArchiveRoot<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'swas-test-'));
  try {
    return await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Per emulator, every instance id a `ListInstances` answer received by a {@link clientOf} client showed. */
const receivedListings = new WeakMap<RunningEmulator, Set<string>>();

/**
 * A client of the emulator with its first key. It notes the instances of each listing it receives: what a
 * crawl through it could know of (see {@link archiveVersusTruth}).
 */
export function clientOf(
  emu: RunningEmulator,
  extra: Partial<Parameters<typeof createSwasClient>[0]> = {},
): SwasClient {
  const key = emu.credentials[0];
  if (!key) throw new Error('the emulator has no key');
  const client = createSwasClient({ endpoint: emu.endpoint, credentials: key, timeoutMs: 5000, ...extra });
  const listInstances = client.listInstances.bind(client);
  client.listInstances = async (params) => {
    const page = await listInstances(params);
    const seen = receivedListings.get(emu) ?? new Set<string>();
    receivedListings.set(emu, seen);
    for (const i of page.items) seen.add(i.instanceId);
    return page;
  };
  return client;
}

/** One crawl of the emulator into the archive at `root` (opened and closed around it). */
export async function crawlOnce(
  emu: RunningEmulator,
  root: string,
  options: Partial<CrawlOptions> = {},
  clientTimeoutMs = 5000,
): Promise<CrawlReport> {
  const archive: Archive = await openArchive({ root });
  try {
    return await crawl({
      accounts: [{ name: 'acct', api: clientOf(emu, { timeoutMs: clientTimeoutMs }) }],
      archive,
      budgets: {
        callsPerMinute: {
          ListRegions: 1000,
          ListInstances: 1000,
          DescribeInvocations: 100_000,
          DescribeInvocationResult: 100_000,
        },
        inFlight: { DescribeInvocations: 4 },
      },
      retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 },
      ...options,
    });
  } finally {
    await archive.close();
  }
}

/** The `invocations` view, as plain rows keyed by invoke id. */
export async function archivedInvocations(root: string): Promise<Map<string, Record<string, unknown>>> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run('SELECT * FROM invocations');
    return new Map(rows.map((r) => [String(r.invoke_id), r]));
  } finally {
    session.close();
  }
}

/** The fields both sides know, in the archive's shape, for a row-by-row comparison. */
export function truthRow(t: GroundTruthInvocation): Record<string, unknown> {
  return {
    region_id: t.regionId,
    instance_id: t.instanceId,
    invoke_id: t.invokeId,
    creation_time: new Date(t.creationTime).toISOString(),
    invocation_status: t.invocationStatus,
    invoke_status: t.invokeStatus,
    command_type: t.commandType,
    command_name: t.commandName,
    command_content: t.commandContent,
    parameters: JSON.stringify(t.parameters),
  };
}

export function archivedRow(r: Record<string, unknown>): Record<string, unknown> {
  return {
    region_id: r.region_id,
    instance_id: r.instance_id,
    invoke_id: r.invoke_id,
    creation_time: r.creation_time,
    invocation_status: r.invocation_status,
    invoke_status: r.invoke_status,
    command_type: r.command_type,
    command_name: r.command_name,
    command_content: r.command_content,
    parameters: r.parameters,
  };
}

/**
 * Invariant 1, checked row by row against the emulator: every invocation the API still holds is archived
 * in exactly its current state, and every one it held when the first run began (virtual time `since`) but
 * no longer does is archived or inside a reported gap of its instance. Returns what did not hold.
 *
 * One exemption, because no API call can reveal it: an instance released before the run listed its region
 * (the emulator's request log says when that was) was never visible to the run.
 */
export async function archiveVersusTruth(
  emu: RunningEmulator,
  root: string,
  since?: number,
): Promise<string[]> {
  // By default the first run began with the first request the emulator logged.
  const first = emu.admin.requestLog()[0];
  const runStart = since ?? (first ? Date.parse(first.virtualTime) : 0);
  const invisible = invisibleInstances(emu);
  const archived = await archivedInvocations(root);
  const session = await QuerySession.open(root);
  let gaps: Record<string, unknown>[];
  try {
    gaps = (
      await session.run(
        'SELECT instance_id, gap_start, gap_end, gap_reason FROM coverage WHERE gap_reason IS NOT NULL',
      )
    ).rows;
  } finally {
    session.close();
  }
  const problems: string[] = [];
  for (const t of emu.admin.groundTruth()) {
    const a = archived.get(t.invokeId);
    if (!t.expiredAt) {
      if (!a) problems.push(`held but not archived: ${t.invokeId} (${t.instanceId}, ${t.creationTime})`);
      else if (JSON.stringify(archivedRow(a)) !== JSON.stringify(truthRow(t))) {
        problems.push(
          `archived state differs: ${JSON.stringify(archivedRow(a))} != ${JSON.stringify(truthRow(t))}`,
        );
      }
      continue;
    }
    if (a || Date.parse(t.expiredAt) <= runStart || invisible.has(t.instanceId)) continue;
    const created = Date.parse(t.creationTime);
    const inGap = gaps.some(
      (g) =>
        g.instance_id === t.instanceId &&
        (g.gap_start === null || Date.parse(String(g.gap_start)) <= created) &&
        (g.gap_end === null || created <= Date.parse(String(g.gap_end))),
    );
    if (!inGap)
      problems.push(
        `vanished (${t.expiryReason}) unarchived and outside any gap: ${t.invokeId} (${t.instanceId}, ${t.creationTime})`,
      );
  }
  return problems;
}

/**
 * Released instances that no listing the crawl received showed: no API call could reveal them to it. Crawls
 * through {@link clientOf} clients say which listings they received; for others (the CLI's, in a child
 * process), the listing received is taken to be the last one asked before the first `DescribeInvocations`
 * call of its region (an earlier answer may never have reached the crawl: the client gave up waiting and
 * asked again, and an instance released in between is in that answer only).
 */
function invisibleInstances(emu: RunningEmulator): Set<string> {
  const released = emu.admin.instances().filter((i) => i.releasedAt);
  const received = receivedListings.get(emu);
  if (received) return new Set(released.filter((i) => !received.has(i.instanceId)).map((i) => i.instanceId));
  const log = emu.admin.requestLog();
  const firstWalk = new Map<string, number>();
  for (const e of log)
    if (e.action === 'DescribeInvocations' && e.regionId)
      firstWalk.set(e.regionId, Math.min(e.seq, firstWalk.get(e.regionId) ?? e.seq));
  const listed = new Map<string, { seq: number; at: number }>();
  for (const e of log) {
    // Only a listing the crawler could have received counts: not one the emulator spoiled (reset, truncated,
    // trickled), nor one asked after the region's walks began.
    if (e.action !== 'ListInstances' || e.outcome !== 'ok' || e.fault || !e.regionId) continue;
    const walkFrom = firstWalk.get(e.regionId) ?? Number.POSITIVE_INFINITY;
    const known = listed.get(e.regionId);
    if (known && (e.seq > walkFrom || e.seq < known.seq)) continue;
    listed.set(e.regionId, { seq: e.seq, at: Date.parse(e.virtualTime) });
  }
  return new Set(
    released
      .filter(
        (i) => Date.parse(i.releasedAt ?? '') < (listed.get(i.regionId)?.at ?? Number.POSITIVE_INFINITY),
      )
      .map((i) => i.instanceId),
  );
}

/** The most calls of one (key, region, action) in any window of `windowMs`, from the emulator's log. */
export function busiestWindow(emu: RunningEmulator, action: string, windowMs: number): number {
  const byKey = new Map<string, number[]>();
  for (const e of emu.admin.requestLog()) {
    if (e.action !== action) continue;
    const key = `${e.accessKeyId}/${e.regionId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e.timeMs]);
  }
  let most = 0;
  for (const times of byKey.values()) {
    for (let i = 0, j = 0; j < times.length; j++) {
      while ((times[j] as number) - (times[i] as number) >= windowMs) i++;
      most = Math.max(most, j - i + 1);
    }
  }
  return most;
}
