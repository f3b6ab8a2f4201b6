import { rename, writeFile } from 'node:fs/promises';
import type { CrawlReport } from '@swas-archive/crawler';
import { Gauge, Registry } from 'prom-client';
import type { ArchiveStatus } from './archive-status.js';

const OUTCOMES = ['complete', 'partial', 'failed', 'interrupted'] as const;

/**
 * The archive job's metrics in the Prometheus text format, for node_exporter's textfile collector: the
 * last run (start, end, outcome, records, calls and throttles per account, region and action), the last
 * success, the open gaps, how old the oldest record that may not be archived yet is, in seconds and as a
 * share of the service's retention (the number that says how close the archive is to losing data), and
 * the records that expire within 24 h unarchived, in total and for the instances that are behind.
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
  unarchivedMetrics(gauge, status, retentionMs);
  return registry.metrics();
}

type GaugeOf = (name: string, help: string, labelNames?: string[]) => Gauge;

/** Instances that get their own series at most (those whose records expire first). */
export const INSTANCE_SERIES_LIMIT = 50;

/**
 * The age of the oldest record not archived yet (against the retention) and the records that expire within
 * 24 h unarchived: in total, and per instance for the instances with at least one record estimated
 * unarchived (or never archived), the oldest first, at most {@link INSTANCE_SERIES_LIMIT} of them, so that a
 * large fleet that keeps up exports none and one that falls behind a bounded number.
 */
function unarchivedMetrics(gauge: GaugeOf, status: ArchiveStatus, retentionMs: number): void {
  const all = status.unarchived.instances;
  const oldest = Math.max(status.atRisk[0]?.ageMs ?? 0, all[0]?.oldestAgeMs ?? 0);
  gauge('unarchived_age_seconds', 'Age of the oldest record that may not be archived yet.').set(
    oldest / 1000,
  );
  gauge(
    'unarchived_age_retention_ratio',
    'That age as a share of the retention: 1 means records are being lost.',
  ).set(oldest / retentionMs);
  const sum = (f: (i: (typeof all)[number]) => number) => all.reduce((n, i) => n + f(i), 0);
  gauge('records_unarchived', 'Records estimated held by the service and not archived yet.').set(
    Math.round(sum((i) => i.unarchived)),
  );
  gauge(
    'records_at_risk_24h',
    'Records estimated not archived that expire (retention or cap rotation) within 24 h.',
  ).set(Math.round(sum((i) => i.atRisk)));
  const behind = all.filter((i) => i.neverArchived || i.unarchived >= 1);
  gauge('instances_unarchived', 'Instances with records estimated not archived yet (or never archived).').set(
    behind.length,
  );
  const labels = ['account', 'region', 'instance'];
  const age = gauge(
    'instance_unarchived_age_seconds',
    'Per instance: age of its oldest record that may not be archived yet.',
    labels,
  );
  const ratio = gauge(
    'instance_unarchived_age_retention_ratio',
    'Per instance: that age as a share of the retention.',
    labels,
  );
  const atRisk = gauge(
    'instance_records_at_risk_24h',
    'Per instance: records estimated not archived that expire within 24 h.',
    labels,
  );
  for (const i of behind.slice(0, INSTANCE_SERIES_LIMIT)) {
    const l = { account: i.account, region: i.regionId, instance: i.instanceId };
    age.set(l, i.oldestAgeMs / 1000);
    ratio.set(l, i.oldestAgeMs / retentionMs);
    atRisk.set(l, Math.round(i.atRisk));
  }
}

/** Writes `text` to `path` atomically (a temporary file renamed over it), as textfile collectors need. */
export async function writeMetricsFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
