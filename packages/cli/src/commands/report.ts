import {
  change,
  DEFAULT_FAILURE_STATUSES,
  failureRate,
  QuerySession,
  REPORT_BUCKETS,
  REPORT_GROUPS,
  type ReportBucket,
  type ReportGroup,
  type ReportOptions,
  type ReportResult,
  reportFiles,
  statusMix,
  stuck,
  topFailing,
} from '@swas-archive/query';
import { Command, Option } from 'commander';
import { readableArchive } from '../archive-copy.js';
import type { CommandContext } from '../command-context.js';
import { examples } from '../help-text.js';
import { FORMAT_HELP, OUTPUT_FORMATS, type OutputFormat } from '../output/output-format.js';
import { writeReport } from '../output/report-output.js';
import { list, positiveInt, STORE_DATA_HELP } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';
import { reportHtmlCommand } from './report-html.js';

/** Every flag a report may take (each report declares the ones it uses). */
interface ReportFlags extends ResourceFlags {
  data?: string;
  format: OutputFormat;
  since: string;
  until: string;
  by?: ReportBucket;
  group?: ReportGroup;
  region?: string[];
  instance?: string[];
  command?: string[];
  failureStatuses?: string[];
  limit?: number;
  olderThan?: string;
  asOf?: string;
}

type Run = (session: QuerySession, flags: ReportFlags, scope: ReportOptions) => Promise<ReportResult<object>>;

/** The reports: name, what it answers, its own flags, and how it runs. */
const REPORTS: {
  name: string;
  description: string;
  flags: ('by' | 'group' | 'failure' | 'limit' | 'stuck')[];
  example: [string, string];
  run: Run;
}[] = [
  {
    name: 'failure-rate',
    description:
      'failure rate per day, week or month (and group): of the final invocations, those in a failure status',
    flags: ['by', 'group', 'failure'],
    example: ['swas-archive report failure-rate --by week --group region', 'weekly failure rate per region'],
    run: (session, f, scope) =>
      failureRate(session, { ...scope, by: f.by, group: f.group, failureStatuses: f.failureStatuses }),
  },
  {
    name: 'status-mix',
    description: 'how many invocations are in each status, per day, week or month (and group)',
    flags: ['by', 'group'],
    example: ['swas-archive report status-mix --since 7d --format csv', 'the last week, as CSV'],
    run: (session, f, scope) => statusMix(session, { ...scope, by: f.by, group: f.group }),
  },
  {
    name: 'top-failing',
    description: 'the commands (or instances, …) with the most failed invocations, with their rates',
    flags: ['group', 'failure', 'limit'],
    example: [
      'swas-archive report top-failing --group instance --limit 5',
      'the five most failing instances',
    ],
    run: (session, f, scope) =>
      topFailing(session, { ...scope, group: f.group, limit: f.limit, failureStatuses: f.failureStatuses }),
  },
  {
    name: 'change',
    description: 'failure rate per group against the previous period of the same length',
    flags: ['group', 'failure'],
    example: ['swas-archive report change --since 7d --group command', 'this week against the week before'],
    run: (session, f, scope) =>
      change(session, { ...scope, group: f.group, failureStatuses: f.failureStatuses }),
  },
  {
    name: 'stuck',
    description: 'invocations still Pending, Running or Stopping when last seen, older than --older-than',
    flags: ['stuck'],
    example: ['swas-archive report stuck --older-than 6h', 'commands non-final for over six hours'],
    run: (session, f, scope) => stuck(session, { ...scope, olderThan: f.olderThan, asOf: f.asOf }),
  },
];

/** `swas-archive report <name>`: one subcommand per report. */
export function reportCommand(ctx: CommandContext): Command {
  const command = new Command('report')
    .description('reports over the archive: failure-rate, status-mix, top-failing, change, stuck, html')
    .addHelpText(
      'after',
      `
Periods are over creation_time, in UTC. Table output prints the rows on stdout
and the coverage (complete, or each gap) on stderr; json is one object with the
settings, coverage and rows; csv, jsonl and arrow carry the rows, each with a
gap column (true: an unresolved gap overlaps it, so invocations may be missing).
A report over a gap still exits 0: it is a read, and the gap is shown.`,
    );
  for (const report of REPORTS) command.addCommand(reportSubcommand(ctx, report));
  command.addCommand(reportHtmlCommand(ctx));
  return command;
}

function reportSubcommand(ctx: CommandContext, report: (typeof REPORTS)[number]): Command {
  const sub = new Command(report.name)
    .description(report.description)
    .option('--data <dir>', STORE_DATA_HELP)
    .addOption(new Option('--format <format>', FORMAT_HELP).choices(OUTPUT_FORMATS).default('table'))
    .option('--since <when>', 'start: 2026-11-01, an ISO time, or back from now: 30d, 12h, 2w', '30d')
    .option('--until <when>', 'end (exclusive; a date alone includes that day), same forms', 'now');
  if (report.flags.includes('by'))
    sub.addOption(new Option('--by <bucket>', 'bucket length (UTC)').choices(REPORT_BUCKETS).default('day'));
  if (report.flags.includes('group')) {
    const group = new Option('--group <group>', 'one row per').choices(REPORT_GROUPS);
    sub.addOption(report.name === 'top-failing' ? group.default('command') : group);
  }
  sub
    .option('--region <ids>', 'only these regions (comma-separated, repeatable)', list)
    .option('--instance <ids>', 'only these instances (comma-separated, repeatable)', list)
    .option('--command <names>', 'only these command names (comma-separated, repeatable)', list);
  if (report.flags.includes('failure'))
    sub.option(
      '--failure-statuses <statuses>',
      `final statuses that count as failed (default: ${DEFAULT_FAILURE_STATUSES.join(', ')})`,
      list,
    );
  if (report.flags.includes('limit')) sub.option('--limit <n>', 'rows at most', positiveInt('--limit'), 10);
  if (report.flags.includes('stuck')) {
    sub
      .option('--older-than <span>', 'non-final for longer than: 30m, 1h, 2d', '1h')
      .option('--as-of <when>', 'measure ages at this time, or now (default: the end of the newest run)');
  }
  return addResourceFlags(sub)
    .addHelpText('after', examples(report.example))
    .action(async (flags: ReportFlags) => {
      ctx.exit(await runReport(report.run, flags, ctx));
    });
}

async function runReport(run: Run, flags: ReportFlags, ctx: CommandContext): Promise<number> {
  const archive = await readableArchive(
    flags.data,
    ctx.env,
    reportFiles({ since: flags.since, until: flags.until }),
  );
  const session = await QuerySession.open(archive.root, limitsOf(flags)).catch(async (error: unknown) => {
    await archive.dispose();
    throw error;
  });
  try {
    const scope: ReportOptions = {
      since: flags.since,
      until: flags.until,
      regions: flags.region,
      instances: flags.instance,
      commands: flags.command,
    };
    const result = await run(session, flags, scope);
    await writeReport(ctx, flags.format, result, notes(result));
    return 0;
  } finally {
    session.close();
    await archive.dispose();
  }
}

/** Lines for people about how a report was computed, printed with its coverage. */
function notes(result: ReportResult<object>): string[] {
  const r = result as ReportResult<object> & {
    failureStatuses?: string[];
    previousSince?: string;
    asOf?: string;
    asOfBasis?: string;
  };
  const out: string[] = [];
  if (r.failureStatuses)
    out.push(`failed: ${r.failureStatuses.join(', ')}; Pending, Running, Stopping in no rate`);
  if (r.previousSince) out.push(`previous period: ${r.previousSince} to ${r.since}`);
  if (r.asOf) {
    const basis = { given: 'as given', 'newest-run': 'the end of the newest run', now: 'now: no run yet' }[
      r.asOfBasis ?? 'given'
    ];
    out.push(`ages as of ${r.asOf} (${basis})`);
  }
  return out;
}
