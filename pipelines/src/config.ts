import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SwasArchiveError } from '@swas-archive/errors';
import { z } from 'zod';

const ACTION = z.enum(['ListRegions', 'ListInstances', 'DescribeInvocations', 'DescribeInvocationResult']);
const perAction = z.partialRecord(ACTION, z.int().min(1));
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h|d)$/, 'a duration such as "90s", "30m", "6h" or "2d"')
  .describe('a duration: a number and s, m, h or d');
const redactionAction = z.enum(['keep', 'drop', 'hmac']);

/** The config file's schema: every key, its type and its meaning (the JSON Schema is made from it). */
export const CONFIG_SCHEMA = z
  .object({
    $schema: z.string().optional().describe('the JSON Schema, for editors'),
    archive: z
      .string()
      .optional()
      .describe('the archive folder, relative to the config file (default data/archive)'),
    endpoint: z
      .url()
      .optional()
      .describe(
        'one endpoint for every region (the emulator, a private endpoint); default the regional ones',
      ),
    accounts: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[\w.@-]{1,64}$/, '1–64 letters, digits or ._@-')
              .describe('stored with every row'),
            profile: z
              .string()
              .optional()
              .describe('an aliyun CLI / credentials-file profile; without it, the default credential chain'),
          })
          .strict(),
      )
      .min(1)
      .optional()
      .describe('the accounts to archive; secrets never go here (profiles or the environment only)'),
    regions: z.array(z.string()).optional().describe('only these regions'),
    instances: z.array(z.string()).optional().describe('only these instance ids'),
    shard: z
      .string()
      .regex(/^\d+\/\d+$/, 'i/n, such as "0/3"')
      .optional()
      .describe(
        'this worker is shard i of n (0 <= i < n): it crawls the (account, region)s a stable hash gives it',
      ),
    withResults: z.boolean().optional().describe('also fetch exit codes and output'),
    budgets: z
      .object({
        callsPerMinute: perAction.optional(),
        inFlight: perAction.optional(),
        accounts: z
          .record(
            z.string(),
            z.object({ callsPerMinute: perAction.optional(), inFlight: perAction.optional() }).strict(),
          )
          .optional()
          .describe('per-account budgets, by account name'),
      })
      .strict()
      .optional()
      .describe('calls per minute and in flight per (account, region, action)'),
    redaction: z
      .object({
        id: z.string().regex(/^[\w.:-]{1,64}$/, '1–64 letters, digits or ._:-'),
        commandContent: redactionAction.optional(),
        parameters: redactionAction.optional(),
        output: redactionAction.optional(),
        hmacKeyEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
          .optional()
          .describe('the environment variable that holds the HMAC key (never the key itself)'),
      })
      .strict()
      .optional()
      .describe('what is redacted when written'),
    compaction: z
      .object({
        above: z.int().min(0).describe('compact a partition once it has this many files (0: never)'),
      })
      .strict()
      .optional(),
    retentionDays: z.number().positive().optional().describe("the service's retention (default 14)"),
    commitInterval: duration.optional().describe('commit what was read at least this often (default 60s)'),
    metricsFile: z.string().optional().describe('a Prometheus text file written after every run'),
    health: z
      .object({
        maxAge: duration.optional().describe('the last complete run may be at most this old (default 24h)'),
        maxAtRisk: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            'the oldest unarchived record may be at most this share of the retention old (default 0.5)',
          ),
        maxRecordsAtRisk: z
          .int()
          .min(0)
          .optional()
          .describe('records that expire within 24 h unarchived may be at most this many (default 0)'),
      })
      .strict()
      .optional(),
    failureTrends: z
      .object({
        out: z
          .string()
          .optional()
          .describe('the folder of the HTML and CSV files, relative to the config file (default reports)'),
        days: z.int().min(1).optional().describe('the report covers the last N days (default 30)'),
        group: z
          .enum(['region', 'instance', 'command', 'command-type', 'account'])
          .optional()
          .describe('one failure-rate line per (default region)'),
      })
      .strict()
      .optional()
      .describe('the failure-trends job (run failure-trends)'),
    complianceExport: z
      .object({
        out: z
          .string()
          .optional()
          .describe(
            'the folder the export folders are made in, relative to the config file (default exports)',
          ),
        days: z
          .int()
          .min(1)
          .optional()
          .describe('export the N whole UTC days before today (default 1: yesterday)'),
        format: z.enum(['csv', 'jsonl', 'parquet', 'arrow']).optional().describe('default parquet'),
        history: z.boolean().optional().describe('every observation, not the latest state (default false)'),
        signKeyFile: z
          .string()
          .optional()
          .describe(
            'sign the manifest with this key file (HMAC key >= 32 bytes, or Ed25519 private key PEM), relative to the config file',
          ),
        allowGaps: z
          .boolean()
          .optional()
          .describe('exit 0 even when an unresolved gap overlaps the period (default false: exit 4)'),
      })
      .strict()
      .optional()
      .describe('the compliance-export job (run compliance-export)'),
    schedule: z
      .object({
        every: duration.optional().describe('how often the archive job runs (a hint for plan and health)'),
        maxDuration: duration.optional().describe('the longest a run may take'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A config file's content, checked. */
export type SwasArchiveConfig = z.infer<typeof CONFIG_SCHEMA>;

/** The file looked for in the folder the command runs from, when no `--config` is given. */
export const CONFIG_FILE = 'swas-archive.config.json';

/** A config file that cannot be used: the message names the key, the bad value and the fix. */
export class ConfigError extends SwasArchiveError {
  override name = 'ConfigError';
  readonly code = 'config.invalid' as const;

  constructor(
    message: string,
    /** The file. */
    readonly path: string,
    /** The key at fault, dotted (`budgets.callsPerMinute.DescribeInvocations`), when one is. */
    readonly key?: string,
  ) {
    super(message);
  }
}

/** A loaded config with where it came from; paths in it are resolved against its folder. */
export interface LoadedConfig {
  path: string;
  config: SwasArchiveConfig;
}

/**
 * Reads and checks a config file. Unknown keys are errors (a typo must not be ignored); every message
 * names the file, the key, the value found and what is expected.
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `no config file at ${file}` : `cannot read the config file ${file} (${code})`,
      file,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  const parsed = CONFIG_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const key = issue.path.join('.');
    const found = valueAt(raw, issue.path);
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}${key ? ` in ${key}` : ''}: remove it, or check its spelling against the schema`
        : `${key || 'the file'}: ${issue.message}${found === undefined ? '' : `, got ${JSON.stringify(found)}`}`;
    throw new ConfigError(
      `config ${file}: ${what}`,
      file,
      issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : key,
    );
  }
  return { path: file, config: parsed.data };
}

/** A path from the config, absolute: relative paths are taken from the config file's folder. */
export const configPath = (loaded: LoadedConfig, path: string): string => resolve(dirname(loaded.path), path);

/** `90s`, `30m`, `6h`, `2d` in milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text);
  if (!m) throw new RangeError(`not a duration: ${text}`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** The JSON Schema of the config file, for editors. */
export const configJsonSchema = (): unknown => z.toJSONSchema(CONFIG_SCHEMA);

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
