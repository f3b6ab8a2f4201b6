import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DEFAULT_FAILURE_STATUSES,
  type HtmlReportOptions,
  htmlReport,
  QuerySession,
  REPORT_BUCKETS,
  REPORT_GROUPS,
  type ReportBucket,
  type ReportGroup,
} from '@swas-archive/query';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir, list, positiveInt, userPath } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';
import { requireArchive } from './query.js';

/** The flags of `report html`. */
interface HtmlFlags extends ResourceFlags {
  data?: string;
  out?: string;
  since: string;
  until: string;
  by: ReportBucket;
  group: ReportGroup;
  region?: string[];
  instance?: string[];
  command?: string[];
  failureStatuses?: string[];
  limit: number;
}

/** `swas-archive report html --out FILE`: one self-contained page of charts and tables over a period. */
export function reportHtmlCommand(ctx: CommandContext): Command {
  const command = new Command('html')
    .description(
      'one self-contained HTML page: failure-rate trends, status mix, top failing, coverage with gaps',
    )
    .option('--out <file>', 'the HTML file to write (required)')
    .option('--data <dir>', DATA_HELP)
    .option('--since <when>', 'start: 2026-11-01, an ISO time, or back from now: 30d, 12h, 2w', '30d')
    .option('--until <when>', 'end (exclusive; a date alone includes that day), same forms', 'now')
    .addOption(new Option('--by <bucket>', 'bucket length (UTC)').choices(REPORT_BUCKETS).default('day'))
    .addOption(new Option('--group <group>', 'one trend line per').choices(REPORT_GROUPS).default('region'))
    .option('--region <ids>', 'only these regions (comma-separated, repeatable)', list)
    .option('--instance <ids>', 'only these instances (comma-separated, repeatable)', list)
    .option('--command <names>', 'only these command names (comma-separated, repeatable)', list)
    .option(
      '--failure-statuses <statuses>',
      `final statuses that count as failed (default: ${DEFAULT_FAILURE_STATUSES.join(', ')})`,
      list,
    )
    .option('--limit <n>', 'rows of each top-failing table', positiveInt('--limit'), 10);
  return addResourceFlags(command)
    .addHelpText(
      'after',
      `
Charts are drawn with Vega-Lite and rendered to SVG when the page is made: the
file holds no script and loads nothing, so it opens offline. Its header says
the period, the archive, when it was made, and "every instance covered without
gaps" or each gap. Prints the file's path.
${examples(['swas-archive report html --since 30d --out report.html', 'the last 30 days, one page'])}`,
    )
    .action(async (flags: HtmlFlags) => {
      ctx.exit(await runHtml(flags, ctx));
    });
}

async function runHtml(flags: HtmlFlags, io: CommandIo): Promise<number> {
  if (!flags.out) throw new UsageError('report html needs --out FILE: the HTML file to write');
  const out = userPath(flags.out, io.env);
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const session = await QuerySession.open(root, limitsOf(flags));
  try {
    const options: HtmlReportOptions = {
      since: flags.since,
      until: flags.until,
      by: flags.by,
      group: flags.group,
      regions: flags.region,
      instances: flags.instance,
      commands: flags.command,
      failureStatuses: flags.failureStatuses,
      limit: flags.limit,
    };
    await writeHtmlReport(session, options, out);
    io.stdout.write(`${out}\n`);
    return 0;
  } finally {
    session.close();
  }
}

/** Writes the report to `out` whole or not at all (a temporary file renamed). */
export async function writeHtmlReport(
  session: QuerySession,
  options: HtmlReportOptions,
  out: string,
): Promise<void> {
  const { html } = await htmlReport(session, options);
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, html);
    await rename(tmp, out);
  } catch (error) {
    // A disk full, or `out` a folder: the half-written temporary file is ours to remove.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}
