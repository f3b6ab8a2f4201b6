import type { QuerySession } from '../query-session.js';
import { type FailureRateResult, failureRate } from '../reports/failure-rate.js';
import type { FailureOptions, ReportBucket, ReportGroup, ReportOptions } from '../reports/report-options.js';
import type { CoverageWindow, ReportCoverage, ReportGap } from '../reports/report-result.js';
import { type StatusMixResult, statusMix } from '../reports/status-mix.js';
import { type TopFailingResult, type TopFailingRow, topFailing } from '../reports/top-failing.js';
import { coverageBars, coverageSpec, failureRateSpec, renderSvg, statusMixSpec } from './report-charts.js';

/** Options of {@link htmlReport}: a report's period, filters and failure statuses. */
export interface HtmlReportOptions extends ReportOptions, FailureOptions {
  /** The failure-rate lines: one per region (or the group chosen). @default 'region' */
  group?: ReportGroup;
  /** Bucket length of the trend and the status mix. @default 'day' */
  by?: ReportBucket;
  /** Rows of each "top failing" table. @default 10 */
  limit?: number;
}

/** The page, and the reports it was drawn from (what its charts and tables show). */
export interface HtmlReport {
  html: string;
  failureRate: FailureRateResult;
  statusMix: StatusMixResult;
  topCommands: TopFailingResult;
  topInstances: TopFailingResult;
  /** The coverage of the period (every report's is the same). */
  coverage: ReportCoverage;
  /** When the page was made, ISO-8601 UTC. */
  generatedAt: string;
}

/**
 * One self-contained HTML page over a period: failure-rate trend lines by region (or group), the status
 * mix over time, the most failing commands and instances, and a coverage timeline per instance with its
 * gaps, under a header that says the period, the archive, when it was made and whether the archive can
 * vouch for every instance. Charts are Vega-Lite compiled and rendered to SVG here: the page holds no
 * script and loads nothing, so it opens offline, in a mail client or an archive of its own.
 */
export async function htmlReport(
  session: QuerySession,
  options: HtmlReportOptions = {},
): Promise<HtmlReport> {
  const group = options.group ?? 'region';
  const by = options.by ?? 'day';
  const base = { ...options, now: options.now ?? new Date() };
  const rate = await failureRate(session, { ...base, group, by });
  const mix = await statusMix(session, { ...base, by });
  const commands = await topFailing(session, { ...base, group: 'command', limit: options.limit });
  const instances = await topFailing(session, { ...base, group: 'instance', limit: options.limit });
  const coverage = rate.coverage;
  const generatedAt = new Date().toISOString();
  const html = page({
    title: `swas-archive report ${rate.since.slice(0, 10)} to ${rate.until.slice(0, 10)}`,
    header: headerRows(session, rate, generatedAt),
    completeness: completeness(coverage),
    sections: await sections({ rate, mix, commands, instances, group, by }),
  });
  return {
    html,
    failureRate: rate,
    statusMix: mix,
    topCommands: commands,
    topInstances: instances,
    coverage,
    generatedAt,
  };
}

/** The header's rows: the period, the archive, when the page was made, the failure statuses. */
function headerRows(session: QuerySession, rate: FailureRateResult, generatedAt: string): [string, string][] {
  const catalog = session.catalog;
  return [
    ['period', `creation times ${rate.since} to ${rate.until} (UTC)`],
    [
      'archive',
      `${session.root} (catalog version ${catalog.version}, ${catalog.snapshots.length} snapshots)`,
    ],
    ['made', generatedAt],
    ['failures', `${rate.failureStatuses.join(', ')}; Pending, Running, Stopping in no rate`],
  ];
}

/** The page's sections: the two charts, the two tables, the coverage timeline (charts rendered at once). */
async function sections(r: {
  rate: FailureRateResult;
  mix: StatusMixResult;
  commands: TopFailingResult;
  instances: TopFailingResult;
  group: string;
  by: string;
}): Promise<{ id: string; title: string; body: string }[]> {
  const bars = coverageBars(r.rate.coverage);
  const [rateSvg, mixSvg, coverageSvg] = await Promise.all([
    renderSvg(failureRateSpec(r.rate.rows, r.group)),
    renderSvg(statusMixSpec(r.mix.rows)),
    renderSvg(coverageSpec(bars)),
  ]);
  return [
    {
      id: 'failure-rate',
      title: `Failure rate by ${r.group}, per ${r.by}`,
      body: figure('failure-rate', rateSvg),
    },
    { id: 'status-mix', title: `Status mix, per ${r.by}`, body: figure('status-mix', mixSvg) },
    {
      id: 'top-commands',
      title: 'Most failing commands',
      body: topTable('top-commands', 'command', r.commands.rows),
    },
    {
      id: 'top-instances',
      title: 'Most failing instances',
      body: topTable('top-instances', 'instance', r.instances.rows),
    },
    {
      id: 'coverage',
      title: 'Coverage per instance',
      body:
        bars.length === 0
          ? '<p class="note">No coverage recorded for the period: no run covered it.</p>'
          : figure('coverage', coverageSvg),
    },
  ];
}

/**
 * The plain statement of completeness: every instance covered, or what is wrong: no coverage at all, the
 * unresolved gaps, and the parts of the period no window proved complete (imported, completeness unknown,
 * or never covered).
 */
function completeness(coverage: ReportCoverage): { ok: boolean; text: string; gaps: string[] } {
  const open = coverage.gaps.filter((g) => !g.resolved);
  const covered = new Set(coverage.windows.map((w) => `${w.account}/${w.region_id}/${w.instance_id}`)).size;
  if (coverage.spanned)
    return {
      ok: true,
      text: `Every instance covered without gaps (${covered} with windows proven complete).`,
      gaps: [],
    };
  const unknown = (w: CoverageWindow) =>
    coverage.unproven.some(
      (u) =>
        `${u.account}/${u.region_id}/${u.instance_id}` === `${w.account}/${w.region_id}/${w.instance_id}` &&
        u.window_start < w.window_end &&
        u.window_end > w.window_start,
    );
  const lines = [
    ...open.map(gapText),
    ...coverage.uncovered.map(
      (w) =>
        `${w.account}/${w.region_id}/${w.instance_id}: ${unknown(w) ? 'imported, completeness unknown' : 'no coverage'} from ${w.window_start} to ${w.window_end}`,
    ),
  ];
  if (open.length === 0 && coverage.uncovered.length === 0)
    return { ok: false, text: 'No coverage recorded for the period: no run covered it.', gaps: [] };
  const parts = [
    open.length > 0 ? `${open.length} unresolved gap${open.length === 1 ? '' : 's'}` : '',
    coverage.uncovered.length > 0
      ? `${coverage.uncovered.length} part${coverage.uncovered.length === 1 ? '' : 's'} of the period not proven complete`
      : '',
  ].filter((p) => p !== '');
  return {
    ok: false,
    text: `${parts.join(' and ')}: invocations created in ${lines.length === 1 ? 'it' : 'them'} may be missing from every figure below.`,
    gaps: lines,
  };
}

function gapText(g: ReportGap): string {
  return `${g.account}/${g.region_id}/${g.instance_id} (${g.gap_reason}) from ${g.gap_start ?? 'the beginning'} to ${g.gap_end ?? `at most ${g.found_at}`}${g.detail ? `: ${g.detail}` : ''}`;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function figure(id: string, svg: string): string {
  return `<figure class="chart" data-chart="${id}">${svg}</figure>`;
}

function topTable(id: string, what: string, rows: readonly TopFailingRow[]): string {
  if (rows.length === 0) return `<p class="note" data-table="${id}">No ${what} failed in the period.</p>`;
  const head = [what, 'failed', 'total', 'rate', 'not final', 'last failed (UTC)', 'gap'];
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.group || '(unnamed)')}</td><td class="n" data-value="${r.failed}">${r.failed}</td><td class="n" data-value="${r.total}">${r.total}</td><td class="n" data-value="${r.rate}">${(r.rate * 100).toFixed(1)}%</td><td class="n" data-value="${r.not_final}">${r.not_final}</td><td>${escapeHtml(r.last_failed_at)}</td><td>${r.gap ? '<span class="gap">gap</span>' : ''}</td></tr>`,
    )
    .join('\n');
  return `<table data-table="${id}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:2rem auto;max-width:980px;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .75rem}h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.meta dt{color:#59636e}dl.meta dd{margin:0}
.status{margin:1rem 0;padding:.75rem 1rem;border-radius:6px}.status.ok{background:#dafbe1;border:1px solid #4ac26b}.status.gaps{background:#ffebe9;border:1px solid #ff8182}
.status ul{margin:.5rem 0 0;padding-left:1.25rem}figure.chart{margin:0;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{padding:.3rem .6rem;border-bottom:1px solid #d0d7de;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.gap{color:#cf222e;font-weight:600}.note{color:#59636e}`;

function page(p: {
  title: string;
  header: [string, string][];
  completeness: { ok: boolean; text: string; gaps: string[] };
  sections: { id: string; title: string; body: string }[];
}): string {
  const gaps = p.completeness.gaps.length
    ? `<ul>${p.completeness.gaps.map((g) => `<li>${escapeHtml(g)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(p.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(p.title)}</h1>
<dl class="meta">${p.header.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<div class="status ${p.completeness.ok ? 'ok' : 'gaps'}" data-complete="${p.completeness.ok}"><strong>${escapeHtml(p.completeness.text)}</strong>${gaps}</div>
</header>
${p.sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</body>
</html>
`;
}
