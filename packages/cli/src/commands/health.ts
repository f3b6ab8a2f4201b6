import { checkHealth, durationMs, healthFigures } from '@swas-archive/pipelines';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { archiveRootOf, findConfig } from '../config-file.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, nonNegativeInt, positiveInt, positiveNumber } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `health`. */
interface HealthFlags {
  data?: string;
  config?: string;
  maxAge?: string;
  maxAtRisk?: number;
  retentionDays?: number;
  maxRecordsAtRisk?: number;
  recordCap?: number;
  capScope?: string;
  json: boolean;
}

/** `swas-archive health`: its flags and its handler. */
export function healthCommand(ctx: CommandContext): Command {
  return new Command('health')
    .description('say whether archival keeps up: exit 8 with a one-line reason when it does not')
    .option('--data <dir>', DATA_HELP)
    .option('--config <file>', 'a config file (default: swas-archive.config.json here, if any); flags win')
    .option('--max-age <duration>', 'the last complete run may be at most this old (default: 24h)')
    .option(
      '--max-at-risk <share>',
      'records may wait unarchived at most this share of the retention (default: 0.5)',
      positiveNumber('--max-at-risk'),
    )
    .option(
      '--retention-days <d>',
      "the service's retention (default: 14)",
      positiveNumber('--retention-days'),
    )
    .option(
      '--max-records-at-risk <n>',
      'records that expire within 24 h unarchived may be at most this many (default: 0)',
      nonNegativeInt('--max-records-at-risk'),
    )
    .option(
      '--record-cap <n>',
      'records the service keeps at most (default: 100000)',
      positiveInt('--record-cap'),
    )
    .option('--cap-scope <scope>', 'whether the cap counts per region or per account (default: account)')
    .option('--json', 'print the verdict and what it rests on as JSON', false)
    .addHelpText(
      'after',
      `
Unhealthy when the last complete run is older than --max-age, when a gap is
open, when an instance's newest records may have waited unarchived longer
than --max-at-risk of the retention, or when more than --max-records-at-risk
records not archived expire within 24 h (by the retention, or by the cap's
rotation at the rates the crawls measured; estimated from the crawl cursors).
Where the cap rotates records within about a day, every unarchived record
expires within 24 h: set --max-records-at-risk to about a run's arrivals.
Reads the archive only (no API call).
${examples(['swas-archive health --data /var/lib/swas-archive', 'a check for cron, systemd or a probe'], ['swas-archive health --max-age 8h --json', 'stricter, for a machine'])}`,
    )
    .action(async (flags: HealthFlags) => {
      ctx.exit(await runHealth(flags, ctx));
    });
}

function capScopeOf(flag: string | undefined): 'region' | 'account' | undefined {
  if (flag === undefined || flag === 'region' || flag === 'account') return flag;
  throw new UsageError(`--cap-scope must be region or account, got "${flag}".`);
}

/** Checks the archive's health; resolves with 0 or 8. */
async function runHealth(flags: HealthFlags, io: CommandIo): Promise<number> {
  const loaded = await findConfig(flags.config, io.env);
  const c = loaded?.config ?? {};
  const root = archiveRootOf(flags.data, loaded, io.env);
  await requireArchive(root);
  let maxAgeMs: number;
  try {
    maxAgeMs = durationMs(flags.maxAge ?? c.health?.maxAge ?? '24h');
  } catch {
    throw new UsageError(`--max-age must be a duration such as 8h, 90m or 2d, got "${flags.maxAge}".`);
  }
  const result = await checkHealth(root, new Date(), {
    maxAgeMs,
    maxAtRiskRatio: flags.maxAtRisk ?? c.health?.maxAtRisk ?? 0.5,
    retentionMs: (flags.retentionDays ?? c.retentionDays ?? 14) * 86_400_000,
    maxRecordsAtRisk: flags.maxRecordsAtRisk ?? c.health?.maxRecordsAtRisk ?? 0,
    recordCap: flags.recordCap,
    capScope: capScopeOf(flags.capScope),
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    io.stdout.write(
      `${result.healthy ? `healthy (${root})` : `unhealthy: ${result.problems.join('; ')}`}\n${healthFigures(result)}\n`,
    );
  return result.healthy ? EXIT.ok : EXIT.unhealthy;
}
