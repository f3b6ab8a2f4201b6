import { failureTrendsJob } from '@swas-archive/pipelines';
import { REPORT_BUCKETS, REPORT_GROUPS, type ReportBucket, type ReportGroup } from '@swas-archive/query';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { archiveRootOf, findConfig, pathFromConfig } from '../config-file.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, list, positiveInt, userPath } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';
import { gapLine } from './export.js';

/** The flags of `run failure-trends` (unset unless given: the config file fills them). */
interface FailureTrendsFlags extends ResourceFlags {
  data?: string;
  config?: string;
  out?: string;
  days?: number;
  until?: string;
  group?: ReportGroup;
  by?: ReportBucket;
  region?: string[];
  instance?: string[];
  command?: string[];
  failureStatuses?: string[];
  limit?: number;
  json: boolean;
}

/** `swas-archive run failure-trends`: the HTML report and CSV of the last N days into a folder. */
export function failureTrendsCommand(ctx: CommandContext): Command {
  const command = new Command('failure-trends')
    .description('the failure-trends job: the HTML report and a CSV of the last N days, named by date')
    .option('--data <dir>', DATA_HELP)
    .option('--config <file>', 'a config file (default: swas-archive.config.json here, if any); flags win')
    .option(
      '--out <dir>',
      'the folder to write to (default: the config\'s failureTrends.out, else "reports")',
    )
    .option('--days <n>', 'the last N days (default: 30)', positiveInt('--days'))
    .option('--until <when>', 'end of the period: now, 2026-11-14 (included), an ISO time (default: now)')
    .addOption(
      new Option('--group <group>', 'one failure-rate line per (default: region)').choices(REPORT_GROUPS),
    )
    .addOption(new Option('--by <bucket>', 'bucket length, UTC (default: day)').choices(REPORT_BUCKETS))
    .option('--region <ids>', 'only these regions (comma-separated, repeatable)', list)
    .option('--instance <ids>', 'only these instances (comma-separated, repeatable)', list)
    .option('--command <names>', 'only these command names (comma-separated, repeatable)', list)
    .option('--failure-statuses <statuses>', 'final statuses that count as failed', list)
    .option('--limit <n>', 'rows of each top-failing table (default: 10)', positiveInt('--limit'))
    .option('--json', 'print the result (paths, period, rows, gaps) as JSON', false);
  return addResourceFlags(command)
    .addHelpText(
      'after',
      `
Writes failure-trends-<day>.html (the page of \`report html\`) and
failure-trends-<day>.csv (the failure rate per day and group, with a gap
column), named by the period's last UTC day; a rerun the same day replaces
that day's files, never a file the job did not make. Prints both paths. A gap
in the period is named on stderr and in both files; the job still exits 0.
${examples(['swas-archive run failure-trends --data /var/lib/swas --out /srv/reports', 'a daily report of the last 30 days'])}`,
    )
    .action(async (flags: FailureTrendsFlags) => {
      ctx.exit(await runFailureTrends(flags, ctx));
    });
}

async function runFailureTrends(flags: FailureTrendsFlags, io: CommandIo): Promise<number> {
  const loaded = await findConfig(flags.config, io.env);
  const c = loaded?.config.failureTrends ?? {};
  const result = await failureTrendsJob({
    root: archiveRootOf(flags.data, loaded, io.env),
    out: flags.out
      ? userPath(flags.out, io.env)
      : (pathFromConfig(loaded, c.out) ?? userPath('reports', io.env)),
    days: flags.days ?? c.days,
    until: flags.until,
    group: flags.group ?? c.group,
    by: flags.by,
    regions: flags.region,
    instances: flags.instance,
    commands: flags.command,
    failureStatuses: flags.failureStatuses,
    limit: flags.limit,
    limits: limitsOf(flags),
  });
  const gaps = result.unresolvedGaps;
  if (flags.json) {
    const { coverage: _coverage, ...rest } = result;
    io.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  } else io.stdout.write(`${result.html}\n${result.csv}\n`);
  if (gaps.length > 0)
    io.stderr.write(
      `${[`the period has ${gaps.length} unresolved gap${gaps.length === 1 ? '' : 's'} (shown in the report; gap=true in the CSV): invocations may be missing`, ...gaps.map(gapLine)].join('\n')}\n`,
    );
  return EXIT.ok;
}
