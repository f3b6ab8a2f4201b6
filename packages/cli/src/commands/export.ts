import {
  DEFAULT_MAX_BYTES_PER_FILE,
  DEFAULT_MAX_ROWS_PER_FILE,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  exportInvocations,
  QuerySession,
  type ReportGap,
  readManifestKey,
  verifyExport,
} from '@swas-archive/query';
import { Command, Option } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { byteSize, DATA_HELP, dataDir, list, positiveInt, userPath } from '../parse-flags.js';
import { addResourceFlags, limitsOf, type ResourceFlags } from '../resource-flags.js';
import { VERSION } from '../version.js';
import { requireArchive } from './query.js';

/** The flags of `export`. */
interface ExportFlags extends ResourceFlags {
  data?: string;
  format?: ExportFormat;
  out?: string;
  since: string;
  until: string;
  region?: string[];
  instance?: string[];
  command?: string[];
  history: boolean;
  maxRows: number;
  maxBytes: number;
  allowGaps: boolean;
  signKey?: string;
}

/** `swas-archive export`: the period's invocations into files with a verifiable manifest; `export verify DIR`. */
export function exportCommand(ctx: CommandContext): Command {
  const command = new Command('export')
    .description(
      'export a period of invocations as csv, jsonl, parquet or arrow files with a verifiable manifest',
    )
    .option('--data <dir>', DATA_HELP)
    .addOption(new Option('--format <format>', 'file format (required)').choices(EXPORT_FORMATS))
    .option('--out <dir>', 'the folder to create: new, or empty (required)')
    .option('--since <when>', 'start: 2026-11-01, an ISO time, or back from now: 30d, 12h, 2w', '30d')
    .option('--until <when>', 'end (exclusive; a date alone includes that day), same forms', 'now')
    .option('--region <ids>', 'only these regions (comma-separated, repeatable)', list)
    .option('--instance <ids>', 'only these instances (comma-separated, repeatable)', list)
    .option('--command <names>', 'only these command names (comma-separated, repeatable)', list)
    .option('--history', 'every observation (invocation_history), not only the latest state', false)
    .option('--max-rows <n>', 'rows per file at most', positiveInt('--max-rows'), DEFAULT_MAX_ROWS_PER_FILE)
    .addOption(
      new Option('--max-bytes <size>', 'bytes per file at most, e.g. 64MiB')
        .argParser(byteSize)
        .default(DEFAULT_MAX_BYTES_PER_FILE, '256MiB'),
    )
    .option(
      '--allow-gaps',
      'exit 0 even when the period is not proven complete (a gap, an uncovered part)',
      false,
    )
    .option(
      '--sign-key <file>',
      'sign the manifest: an HMAC key file (>= 32 bytes) or an Ed25519 private key (PEM)',
    );
  addResourceFlags(command)
    .addHelpText(
      'after',
      `
Files are part-00001.<format>, … split at --max-rows and --max-bytes (csv and
jsonl never pass it; an arrow file may by one 2,048-row batch, a parquet file
by one row group), and manifest.json: the tool, the archive, the query and
filters, the period, each file's rows, bytes and sha256, the total, the
snapshots read, the redaction policies, and the period's coverage per instance
(windows proven complete, every gap with its reason). Everything is written to
<out>.partial-<random> and renamed to <out> once complete. Timestamps are UTC;
invalid UTF-8 keeps its original bytes in the *_base64 columns.

A period not proven complete (an unresolved gap, or a part no crawl proved:
imported only, or never covered) is named on stderr and in the manifest, and
the export exits 4 unless --allow-gaps. An --out that exists and is not empty
exits 2. Check an export with \`swas-archive export verify DIR\` (exit 6 when a
file is missing, altered or extra, or the manifest was edited).
${examples(
  [
    'swas-archive export --since 2026-01-01 --until 2026-03-31 --format parquet \\\n      --out q1',
    'the first quarter, as Parquet',
  ],
  [
    'swas-archive export --since 7d --format csv --out week --sign-key hmac.key',
    'the last week as CSV, signed',
  ],
)}`,
    )
    .action(async (flags: ExportFlags) => {
      ctx.exit(await runExport(flags, ctx));
    });
  command.addCommand(verifySubcommand(ctx));
  return command;
}

function verifySubcommand(ctx: CommandContext): Command {
  return new Command('verify')
    .description('check an export folder against its manifest, with the files alone (no archive needed)')
    .argument('<dir>', 'the export folder')
    .option('--key <file>', 'check the signature: the HMAC key file, or the Ed25519 public key (PEM)')
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      `
Recomputes each file's size, sha256 and row count, checks the manifest's own
hash (manifestSha256) and, with --key, its signature. Names every missing,
altered and extra file; exit 6 when anything is wrong, 0 when all holds.
${examples(['swas-archive export verify q1 --key ed25519-public.pem', 'an auditor checks an export'])}`,
    )
    .action(async (dir: string, flags: { key?: string; json: boolean }) => {
      ctx.exit(await runVerify(dir, flags, ctx));
    });
}

async function runExport(flags: ExportFlags, io: CommandIo): Promise<number> {
  // Checked here, not by commander: a mandatory option of `export` would be demanded of `export verify` too.
  if (!flags.format || !flags.out)
    throw new UsageError(
      `export needs ${!flags.format ? `--format (${EXPORT_FORMATS.join(', ')})` : ''}${!flags.format && !flags.out ? ' and ' : ''}${!flags.out ? '--out DIR' : ''}; or \`export verify DIR\` to check an export`,
    );
  const format = flags.format;
  const outDir = flags.out;
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const signKey = flags.signKey
    ? await readManifestKey(userPath(flags.signKey, io.env), 'signKey')
    : undefined;
  const session = await QuerySession.open(root, limitsOf(flags));
  try {
    const { out, manifest } = await exportInvocations(session, {
      out: userPath(outDir, io.env),
      format,
      since: flags.since,
      until: flags.until,
      regions: flags.region,
      instances: flags.instance,
      commands: flags.command,
      history: flags.history,
      maxRowsPerFile: flags.maxRows,
      maxBytesPerFile: flags.maxBytes,
      signKey,
      toolVersion: VERSION,
      memoryLimit: flags.memoryLimit,
    });
    io.stdout.write(
      `${out}: ${manifest.totalRows} ${manifest.query.rows === 'history' ? 'observations' : 'invocations'} created ${manifest.period.since} to ${manifest.period.until} in ${manifest.files.length} ${format} file${manifest.files.length === 1 ? '' : 's'}; manifest.json sha256 ${manifest.manifestSha256}${manifest.signature ? `, signed (${manifest.signature.algorithm})` : ''}\n`,
    );
    if (manifest.coverage.complete) return EXIT.ok;
    io.stderr.write(`${incompleteLines(manifest.coverage).join('\n')}\n`);
    return flags.allowGaps ? EXIT.ok : EXIT.partial;
  } finally {
    session.close();
  }
}

/** Why an export's period is not proven complete: its unresolved gaps, the parts no crawl proved, or no coverage. */
export function incompleteLines(coverage: ExportManifest['coverage']): string[] {
  const gaps = coverage.unresolvedGaps;
  const lines: string[] = [];
  if (coverage.instances.length === 0)
    lines.push('the period is not proven complete (in the manifest too): no coverage recorded for it');
  if (gaps.length > 0)
    lines.push(
      `the period has ${gaps.length} unresolved gap${gaps.length === 1 ? '' : 's'} (in the manifest too): invocations may be missing`,
      ...gaps.map(gapLine),
    );
  const uncovered = coverage.instances.flatMap((i) =>
    i.uncovered.map((u) => ({
      ...u,
      where: `${i.account}/${i.region_id}/${i.instance_id}`,
      unproven: i.unproven,
    })),
  );
  if (uncovered.length > 0)
    lines.push(
      `the period is not proven complete (in the manifest too): ${uncovered.length} part${uncovered.length === 1 ? '' : 's'} no crawl proved complete`,
      ...uncovered.map(
        (u) =>
          `  NOT COVERED ${u.where} from ${u.start} to ${u.end}${u.unproven.length > 0 ? ' (imported, completeness unknown, or a stopped run)' : ''}`,
      ),
    );
  return lines;
}

/** One unresolved gap, for people: where, why, and from when to when. */
export function gapLine(g: ReportGap): string {
  return `  GAP ${g.account}/${g.region_id}/${g.instance_id} (${g.gap_reason}) from ${g.gap_start ?? 'the beginning'} to ${g.gap_end ?? `at most ${g.found_at}`}${g.detail ? `: ${g.detail}` : ''}`;
}

async function runVerify(
  dir: string,
  flags: { key?: string; json: boolean },
  io: CommandIo,
): Promise<number> {
  const key = flags.key ? await readManifestKey(userPath(flags.key, io.env), 'key') : undefined;
  const report = await verifyExport(userPath(dir, io.env), { key });
  if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const head = report.ok
      ? `ok: ${report.files} files, ${report.rows} rows, manifest intact, signature ${report.signature} (${report.folder})`
      : `DAMAGED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (${report.folder})`;
    io.stdout.write(`${[head, ...report.problems].join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.damaged;
}
