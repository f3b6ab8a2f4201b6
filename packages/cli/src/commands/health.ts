import { checkHealth, durationMs } from '@swas-archive/pipelines';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { DATA_HELP, dataDir, positiveNumber } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** The flags of `health`. */
interface HealthFlags {
  data?: string;
  maxAge: string;
  maxAtRisk: number;
  retentionDays: number;
  json: boolean;
}

/** `swas-archive health`: its flags and its handler. */
export function healthCommand(ctx: CommandContext): Command {
  return new Command('health')
    .description('say whether archival keeps up: exit 8 with a one-line reason when it does not')
    .option('--data <dir>', DATA_HELP)
    .option('--max-age <duration>', 'the last complete run may be at most this old', '24h')
    .option(
      '--max-at-risk <share>',
      'records may wait unarchived at most this share of the retention',
      positiveNumber('--max-at-risk'),
      0.5,
    )
    .option('--retention-days <d>', "the service's retention", positiveNumber('--retention-days'), 14)
    .option('--json', 'print the verdict and what it rests on as JSON', false)
    .addHelpText(
      'after',
      `
Unhealthy when the last complete run is older than --max-age, when a gap is
open, or when an instance's newest records may have waited unarchived longer
than --max-at-risk of the retention. Reads the archive only (no API call).
${examples(['swas-archive health --data /var/lib/swas-archive', 'a check for cron, systemd or a probe'], ['swas-archive health --max-age 8h --json', 'stricter, for a machine'])}`,
    )
    .action(async (flags: HealthFlags) => {
      ctx.exit(await runHealth(flags, ctx));
    });
}

/** Checks the archive's health; resolves with 0 or 8. */
async function runHealth(flags: HealthFlags, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  let maxAgeMs: number;
  try {
    maxAgeMs = durationMs(flags.maxAge);
  } catch {
    throw new UsageError(`--max-age must be a duration such as 8h, 90m or 2d, got "${flags.maxAge}".`);
  }
  const result = await checkHealth(root, new Date(), {
    maxAgeMs,
    maxAtRiskRatio: flags.maxAtRisk,
    retentionMs: flags.retentionDays * 86_400_000,
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout.write(result.healthy ? `healthy (${root})\n` : `unhealthy: ${result.problems.join('; ')}\n`);
  return result.healthy ? EXIT.ok : EXIT.unhealthy;
}
