import { complianceExportJob } from '@swas-archive/pipelines';
import { EXPORT_FORMATS, type ExportFormat } from '@swas-archive/query';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { archiveRootOf, findConfig, pathFromConfig } from '../config-file.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { byteSize, DATA_HELP, list, positiveInt, userPath } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';
import { VERSION } from '../version.js';
import { incompleteLines } from './export.js';

/** The flags of `run compliance-export` (unset unless given: the config file fills them). */
interface ComplianceExportFlags extends ResourceFlags {
  data?: string;
  config?: string;
  out?: string;
  format?: ExportFormat;
  days?: number;
  since?: string;
  until?: string;
  history?: boolean;
  region?: string[];
  instance?: string[];
  command?: string[];
  maxRows?: number;
  maxBytes?: number;
  signKey?: string;
  allowGaps?: boolean;
  json: boolean;
}

/** `swas-archive run compliance-export`: an export of a period with its manifest, into a folder named by it. */
export function complianceExportCommand(ctx: CommandContext): Command {
  const command = new Command('compliance-export')
    .description(
      'the compliance-export job: a period (default yesterday, UTC) exported with its manifest, in a folder named by its days',
    )
    .option('--data <dir>', DATA_HELP)
    .option('--config <file>', 'a config file (default: swas-archive.config.json here, if any); flags win')
    .option(
      '--out <dir>',
      'the folder the export folder is made in (default: the config\'s complianceExport.out, else "exports")',
    )
    .addOption(new Option('--format <format>', 'file format (default: parquet)').choices(EXPORT_FORMATS))
    .option('--days <n>', 'the N whole UTC days before --until (default: 1)', positiveInt('--days'))
    .option('--since <when>', 'start instead of --days: 2026-11-01, an ISO time, or back from now: 30d')
    .option(
      '--until <when>',
      "end (exclusive; a date alone includes that day) (default: today's midnight, UTC)",
    )
    .option('--history', 'every observation (invocation_history), not only the latest state')
    .option('--region <ids>', 'only these regions (comma-separated, repeatable)', list)
    .option('--instance <ids>', 'only these instances (comma-separated, repeatable)', list)
    .option('--command <names>', 'only these command names (comma-separated, repeatable)', list)
    .option('--max-rows <n>', 'rows per file at most (default 1000000)', positiveInt('--max-rows'))
    .option('--max-bytes <size>', 'bytes per file, e.g. 64MiB (default 256MiB)', byteSize)
    .option(
      '--sign-key <file>',
      'sign the manifest: an HMAC key file (>= 32 bytes) or an Ed25519 private key',
    )
    .option('--allow-gaps', 'exit 0 even when the period is not proven complete (a gap, an uncovered part)')
    .option('--json', 'print the result (folder, period, files, rows, gaps) as JSON', false);
  return addResourceFlags(command)
    .addHelpText(
      'after',
      `
Makes <out>/compliance-<first day>--<last day>/ (UTC days of the period): the
files and manifest.json of \`swas-archive export\`, written beside it and
renamed when complete. An export folder already there is never touched: the
job exits 2. A period not proven complete (an unresolved gap, or a part no
crawl proved: not crawled, imported only, or a stopped run) is named on stderr
and in the manifest, and the job exits 4 unless --allow-gaps, as \`export\`
does. Check the folder with
\`swas-archive export verify DIR\`.
${examples(
  [
    'swas-archive run compliance-export --out /srv/exports --sign-key hmac.key',
    "yesterday's invocations, signed (daily)",
  ],
  [
    'swas-archive run compliance-export --since 2026-01-01 --until 2026-04-01',
    'the first quarter of 2026, as Parquet',
  ],
)}`,
    )
    .action(async (flags: ComplianceExportFlags) => {
      ctx.exit(await runComplianceExport(flags, ctx));
    });
}

async function runComplianceExport(flags: ComplianceExportFlags, io: CommandIo): Promise<number> {
  const loaded = await findConfig(flags.config, io.env);
  const c = loaded?.config.complianceExport ?? {};
  const result = await complianceExportJob({
    root: archiveRootOf(flags.data, loaded, io.env),
    out: flags.out
      ? userPath(flags.out, io.env)
      : (pathFromConfig(loaded, c.out) ?? userPath('exports', io.env)),
    format: flags.format ?? c.format,
    days: flags.days ?? c.days,
    since: flags.since,
    until: flags.until,
    history: flags.history ?? c.history,
    regions: flags.region,
    instances: flags.instance,
    commands: flags.command,
    maxRowsPerFile: flags.maxRows,
    maxBytesPerFile: flags.maxBytes,
    signKeyFile: flags.signKey ? userPath(flags.signKey, io.env) : pathFromConfig(loaded, c.signKeyFile),
    toolVersion: VERSION,
    limits: limitsOf(flags),
  });
  const { folder, manifest, unresolvedGaps: gaps, complete } = result;
  if (flags.json)
    io.stdout.write(
      `${JSON.stringify(
        {
          folder,
          period: manifest.period,
          format: manifest.fileFormat,
          files: manifest.files.length,
          rows: manifest.totalRows,
          manifestSha256: manifest.manifestSha256,
          signed: manifest.signature?.algorithm ?? null,
          complete,
          unresolvedGaps: gaps,
        },
        null,
        2,
      )}\n`,
    );
  else
    io.stdout.write(
      `${folder}: ${manifest.totalRows} ${manifest.query.rows === 'history' ? 'observations' : 'invocations'} created ${manifest.period.since} to ${manifest.period.until} in ${manifest.files.length} ${manifest.fileFormat} file${manifest.files.length === 1 ? '' : 's'}; manifest.json sha256 ${manifest.manifestSha256}${manifest.signature ? `, signed (${manifest.signature.algorithm})` : ''}\n`,
    );
  // The rule of `export`: a period not proven complete fails unless allowed.
  if (complete) return EXIT.ok;
  io.stderr.write(`${incompleteLines(manifest.coverage).join('\n')}\n`);
  return (flags.allowGaps ?? c.allowGaps) ? EXIT.ok : EXIT.partial;
}
