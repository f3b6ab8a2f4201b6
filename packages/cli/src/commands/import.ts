import { type ImportJobResult, importJob } from '@swas-archive/pipelines';
import { Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir, userPath } from '../parse-flags.js';

/** The flags of `import`. */
interface ImportFlags {
  data?: string;
  account: string;
  region?: string;
  instance?: string;
  pathPattern?: RegExp;
  observedAt?: Date;
  retentionDays: number;
  json: boolean;
}

function regex(value: string): RegExp {
  try {
    const re = new RegExp(value);
    if (!/\(\?<(region|instance)>/.test(value)) throw new Error('it has no group named region or instance');
    return re;
  } catch (error) {
    throw new InvalidArgumentError(
      `--path-pattern must be a regular expression with groups (?<region>…) and/or (?<instance>…): ${(error as Error).message}`,
    );
  }
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`--retention-days must be a number of days > 0, got "${value}".`);
  return n;
}

function instant(value: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms))
    throw new InvalidArgumentError(
      `--observed-at must be an ISO-8601 time such as 2026-03-01T04:00:00Z, got "${value}".`,
    );
  return new Date(ms);
}

/** `swas-archive import FILES…`: dumps of DescribeInvocations pages into the archive, as one run. */
export function importCommand(ctx: CommandContext): Command {
  return new Command('import')
    .description(
      'import dumps of DescribeInvocations pages (aliyun CLI or SDK output kept by cron) as one run',
    )
    .argument('<files...>', 'dump files: JSON, concatenated JSON or JSON Lines, gzip or not')
    .option('--data <dir>', DATA_HELP)
    .option('--account <name>', 'account stored with the rows when the dump does not say', 'default')
    .option('--region <id>', 'region of pages that do not say (RegionId) and whose path does not')
    .option('--instance <id>', 'instance of pages that do not say (InstanceId) and whose path does not')
    .option(
      '--path-pattern <regex>',
      'region and instance from each path: groups (?<region>…), (?<instance>…)',
      regex,
    )
    .option(
      '--observed-at <time>',
      "when the pages were read (default: each page's ObservedAt, else the file's mtime)",
      instant,
    )
    .option(
      '--retention-days <n>',
      "the service's retention: a page dated by its file's mtime is dated within it",
      positiveNumber,
      14,
    )
    .option('--json', 'print the summary as JSON', false)
    .addHelpText(
      'after',
      `
Each JSON value of a file is a DescribeInvocations answer as the API gives it
({"RequestId", "TotalCount", …, "Invocations": [...]}), one of its items
({"InvokeId", …}), an array of these, or a wrapper that says where and when:
{"RegionId", "InstanceId", "ObservedAt"?, "Account"?, "Response": <page>}
(RegionId, InstanceId, ObservedAt and Account may also sit in the page). A file
holds one page, pages one after another (pretty-printed or not), or one value a
line (JSON Lines); .gz or not, gzip is recognised by its bytes.

Items are decoded as a crawl decodes them and committed in one snapshot at the
end: nothing is visible before, and what the archive already holds in the same
state is not written again. Coverage records each instance's imported creation
times as "imported, completeness unknown" (never as proven complete). A page
that cannot be read or placed is reported with its file and line and skipped;
the rest goes on, and the import exits 4. A file with 20 problems is given up.

A page with no ObservedAt (and no --observed-at) is dated by its file's mtime,
kept between its newest creation time and its oldest plus the retention (a
warning says how many). A state that is not final dated at or after a final one
of the same invocation is dropped and counted as stale: an old dump never turns
a finished invocation back to Running. The path pattern is matched against the
absolute path: anchor it at the file name; a region that is no region id is
refused.
${examples(
  ['swas-archive import --region cn-hangzhou --instance 2ad1… dumps/*.json', 'one instance of pages'],
  [
    "swas-archive import \\\n      --path-pattern '/(?<region>[^/]+)/(?<instance>[^/]+)/[^/]+$' \\\n      dumps/*/*/*.json.gz",
    'a cron dump of many instances, region/instance/page.json.gz',
  ],
)}`,
    )
    .action(async (files: string[], flags: ImportFlags) => {
      ctx.exit(await runImport(files, flags, ctx));
    });
}

type ImportSummary = Pick<
  ImportJobResult,
  'runId' | 'files' | 'pages' | 'records' | 'datedByFile' | 'skipped' | 'instances'
> & {
  written: number;
  alreadyArchived: number;
  staleDropped: number;
  newInvocations: number;
  changedInvocations: number;
};

async function runImport(files: string[], flags: ImportFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  const result = await importJob({
    root,
    files: files.map((f) => userPath(f, io.env)),
    account: flags.account,
    regionId: flags.region,
    instanceId: flags.instance,
    pathPattern: flags.pathPattern,
    observedAt: flags.observedAt,
    retentionMs: flags.retentionDays * 86_400_000,
    onEvent: (e) => {
      if (e.type === 'skipped') io.stderr.write(`skipped ${e.file}:${e.line}: ${e.reason}\n`);
      else if (e.datedByFile > 0)
        io.stderr.write(
          `warning: ${e.file}: ${e.datedByFile} page(s) dated by the file's modification time (no ObservedAt, no --observed-at)${e.movedIntoRetention > 0 ? `, ${e.movedIntoRetention} of them moved within ${flags.retentionDays} days of their creation times` : ''}\n`,
        );
    },
  });
  const written = result.commit?.rows.invocation_observations ?? 0;
  const summary: ImportSummary = {
    runId: result.runId,
    files: result.files,
    pages: result.pages,
    records: result.records,
    written,
    alreadyArchived: result.commit?.skipped ?? 0,
    staleDropped: result.commit?.stale ?? 0,
    datedByFile: result.datedByFile,
    newInvocations: result.commit?.newInvocations ?? 0,
    changedInvocations: result.commit?.changedInvocations ?? 0,
    skipped: result.skipped,
    instances: result.instances,
  };
  if (flags.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else io.stdout.write(summaryText(summary, root));
  return result.skipped.length > 0 ? EXIT.partial : EXIT.ok;
}

/** The summary for a person: the counts, then where each instance was placed. */
function summaryText(s: ImportSummary, root: string): string {
  const head = `imported ${s.records} records from ${s.pages} pages in ${s.files} files into ${root} (run ${s.runId}): ${s.newInvocations} new and ${s.changedInvocations} changed invocations, ${s.alreadyArchived} observations already archived, ${s.staleDropped} stale (a non-final state dated after a final one) dropped; ${s.instances.length} instances, coverage "imported, completeness unknown"${s.skipped.length > 0 ? `; ${s.skipped.length} skipped (see stderr)` : ''}`;
  const placed = s.instances.map(
    (i) =>
      `  ${i.account}/${i.regionId}/${i.instanceId}: ${i.records} records created ${i.from.toISOString()} to ${i.to.toISOString()}`,
  );
  return `${[head, ...placed].join('\n')}\n`;
}
