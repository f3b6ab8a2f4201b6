import { rename, writeFile } from 'node:fs/promises';
import type { CrawlReport } from '@swas-archive/crawler';
import { Gauge, Registry } from 'prom-client';
import type { ArchiveStatus } from './archive-status.js';

const OUTCOMES = ['complete', 'partial', 'failed', 'interrupted'] as const;

/**
 * The archive job's metrics in the Prometheus text format, for node_exporter's textfile collector: the
 * last run (start, end, outcome, records, calls and throttles per account, region and action), the last
 * success, the open gaps, and how old the oldest record that may not be archived yet is, in seconds and as
 * a share of the service's retention (the number that says how close the archive is to losing data).
 */
export async function metricsText(
  report: CrawlReport,
  status: ArchiveStatus,
  retentionMs: number,
): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `swas_archive_${name}`, help, labelNames, registers: [registry] });
  gauge('last_run_start_timestamp_seconds', 'When the last run started.').set(
    report.startedAt.getTime() / 1000,
  );
  gauge('last_run_end_timestamp_seconds', 'When the last run ended.').set(report.finishedAt.getTime() / 1000);
  const outcome = gauge('last_run_outcome', 'The last run outcome: 1 for the one it had.', ['outcome']);
  for (const o of OUTCOMES) outcome.set({ outcome: o }, report.outcome === o ? 1 : 0);
  const success = gauge('last_success_timestamp_seconds', 'When the last complete run ended.');
  if (status.lastCompleteRunAt) success.set(Date.parse(status.lastCompleteRunAt) / 1000);
  const records = gauge('last_run_records', 'Invocations the last run archived, by kind.', ['kind']);
  records.set({ kind: 'new' }, report.recordsNew);
  records.set({ kind: 'changed' }, report.recordsChanged);
  records.set({ kind: 'skipped' }, report.recordsSkipped);
  const calls = gauge('last_run_calls', 'API calls of the last run.', ['account', 'region', 'action']);
  const throttles = gauge('last_run_throttles', 'Throttled answers in the last run.', [
    'account',
    'region',
    'action',
  ]);
  for (const b of report.budgets) {
    const labels = { account: b.account, region: b.regionId, action: b.action };
    calls.set(labels, b.calls);
    throttles.set(labels, b.throttles);
  }
  const instances = gauge('last_run_instances', 'Instances of the last run, by state.', ['state']);
  instances.set({ state: 'complete' }, report.instancesComplete);
  instances.set({ state: 'incomplete' }, report.incomplete.length);
  instances.set({ state: 'released' }, report.released.length);
  gauge('gaps_open', 'Gaps no later run has covered.').set(status.openGaps);
  const oldest = status.atRisk[0]?.ageMs ?? 0;
  gauge('unarchived_age_seconds', 'Age of the oldest record that may not be archived yet.').set(
    oldest / 1000,
  );
  gauge(
    'unarchived_age_retention_ratio',
    'That age as a share of the retention: 1 means records are being lost.',
  ).set(oldest / retentionMs);
  return registry.metrics();
}

/** Writes `text` to `path` atomically (a temporary file renamed over it), as textfile collectors need. */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
