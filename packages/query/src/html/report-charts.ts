import type { FailureRateRow } from '../reports/failure-rate.js';
import type { ReportCoverage } from '../reports/report-result.js';
import type { StatusMixRow } from '../reports/status-mix.js';

/** A Vega-Lite specification (kept loose: vega-lite's own type is checked when it compiles). */
type Spec = Record<string, unknown>;

const WIDTH = 720;

/** Dates of the reports are UTC days: scales and axes in UTC, whatever the machine's time zone. */
const UTC_X = (field: string, title: string) => ({
  field,
  type: 'temporal',
  title,
  scale: { type: 'utc' },
  axis: { format: '%b %d', labelAngle: 0 },
});

/** Failure rate per bucket, a line per group, with a point per bucket (gap buckets ringed in red). */
export function failureRateSpec(rows: readonly FailureRateRow[], groupTitle: string): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 260,
    data: { values: rows.map((r) => ({ ...r, group: r.group ?? 'all' })) },
    layer: [
      {
        mark: { type: 'line', interpolate: 'linear', strokeWidth: 2 },
        encoding: {
          x: UTC_X('period', 'period (UTC)'),
          y: { field: 'rate', type: 'quantitative', title: 'failure rate', axis: { format: '.0%' } },
          color: { field: 'group', type: 'nominal', title: groupTitle },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x: UTC_X('period', 'period (UTC)'),
          y: { field: 'rate', type: 'quantitative' },
          color: { field: 'group', type: 'nominal', title: groupTitle },
          stroke: { condition: { test: 'datum.gap', value: '#d62728' }, value: null },
          strokeWidth: { value: 2 },
        },
      },
    ],
  };
}

/** How many invocations are in each status, per bucket, stacked. */
export function statusMixSpec(rows: readonly StatusMixRow[]): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: 260,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { ...UTC_X('period', 'period (UTC)'), timeUnit: 'utcyearmonthdate', bandPosition: 0 },
      y: { field: 'count', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'invocations' },
      color: { field: 'status', type: 'nominal', title: 'status', scale: { scheme: 'tableau10' } },
      order: { field: 'status' },
    },
  };
}

/** One bar per window proven complete and per gap, an instance a row. */
export interface CoverageBar {
  instance: string;
  start: string;
  end: string;
  kind: 'proven complete' | 'gap' | 'resolved gap';
  reason: string;
}

/** The bars of the coverage timeline: windows, and gaps clipped to the period (open ends at the period's). */
export function coverageBars(coverage: ReportCoverage): CoverageBar[] {
  const name = (r: { region_id: string; instance_id: string }) => `${r.region_id}/${r.instance_id}`;
  const clip = (t: string) => (t < coverage.since ? coverage.since : t > coverage.until ? coverage.until : t);
  const bars: CoverageBar[] = coverage.windows.map((w) => ({
    instance: name(w),
    start: w.window_start,
    end: w.window_end,
    kind: 'proven complete',
    reason: '',
  }));
  for (const g of coverage.gaps) {
    const start = clip(g.gap_start ?? coverage.since);
    const end = clip(g.gap_end ?? g.found_at);
    bars.push({
      instance: name(g),
      start,
      // A gap known only as a moment still shows.
      end: end > start ? end : new Date(Date.parse(start) + 3_600_000).toISOString(),
      kind: g.resolved ? 'resolved gap' : 'gap',
      reason: g.gap_reason,
    });
  }
  return bars;
}

/** The coverage timeline: per instance, the windows proven complete in green and every gap marked. */
export function coverageSpec(bars: readonly CoverageBar[]): Spec {
  const instances = new Set(bars.map((b) => b.instance)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Narrower than the others: the instance names take the rest of the page's width.
    width: WIDTH - 220,
    height: Math.max(60, instances * 22),
    data: { values: bars },
    mark: { type: 'bar', height: 14 },
    encoding: {
      x: {
        field: 'start',
        type: 'temporal',
        title: 'creation time (UTC)',
        scale: { type: 'utc' },
        axis: { format: '%b %d', labelAngle: 0 },
      },
      x2: { field: 'end' },
      y: { field: 'instance', type: 'nominal', title: null, axis: { labelLimit: 360 } },
      color: {
        field: 'kind',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['proven complete', 'gap', 'resolved gap'],
          range: ['#2ca02c', '#d62728', '#ff9896'],
        },
      },
      tooltip: [{ field: 'kind' }, { field: 'reason' }, { field: 'start' }, { field: 'end' }],
    },
  };
}

/** Compiles a Vega-Lite spec to Vega and renders it to SVG in Node (no browser, no script at view time). */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
