import { verifyArchive } from '@swas-archive/archive';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `verify`. */
interface VerifyFlags {
  data?: string;
  json: boolean;
}

/** `swas-archive verify`: its flags and its handler. */
export function verifyCommand(ctx: CommandContext): Command {
  return new Command('verify')
    .description(
      "check every committed file against the catalog's checksum and row count, and look for stray files",
    )
    .option('--data <dir>', DATA_HELP)
    .option('--json', 'print the report as JSON', false)
    .addHelpText(
      'after',
      examples(
        [
          'swas-archive verify --data /var/lib/swas-archive',
          'check an archive; exit 6 names each damaged file',
        ],
        ['swas-archive verify --json > verify.json', 'the report for a machine'],
      ),
    )
    .action(async (flags: VerifyFlags) => {
      ctx.exit(await runVerify(flags, ctx));
    });
}

/** Checks every committed file against its checksum and row count; resolves with the exit status. */
async function runVerify(flags: VerifyFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const report = await verifyArchive(root);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `${report.ok ? 'ok' : 'DAMAGED'}: ${report.files} files, ${report.rows} rows, catalog version ${report.catalogVersion} (${report.root})`,
      ...report.missing.map((p) => `missing ${p}`),
      ...report.unreadable.map((u) => `unreadable ${u.path}: ${u.reason}`),
      ...report.corrupt.map((c) => `corrupt ${c.path}: ${c.reason}`),
      ...report.unexpected.map((p) => `unexpected ${p}`),
      ...report.pendingCommits.map((p) => `pending commit ${p} (finished by the next crawl)`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.damaged;
}
