import type { Action } from '@swas-archive/crawler';
import {
  type ArchiveJobOptions,
  CONFIG_FILE,
  configPath,
  durationMs,
  type LoadedConfig,
  loadConfig,
} from '@swas-archive/pipelines';
import { ConfigUsageError } from '../exit-codes.js';
import { parseShard, userPath } from '../parse-flags.js';
import type { ArchiveFlags } from './archive-command.js';

/** The config file named by `--config`, else `swas-archive.config.json` where the user runs the command, if any. */
export async function findConfig(
  flags: ArchiveFlags,
  env: NodeJS.ProcessEnv,
): Promise<LoadedConfig | undefined> {
  if (flags.config) return loadConfig(userPath(flags.config, env));
  const here = userPath(CONFIG_FILE, env);
  return loadConfig(here).catch((error: unknown) => {
    // No file there is the usual case; a file there that cannot be used is an error.
    if ((error as { message?: string }).message?.startsWith('no config file')) return undefined;
    throw error;
  });
}

/** The job's options: the flags given, else the config file, else the defaults. */
export function jobOptions(
  flags: ArchiveFlags,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): Omit<ArchiveJobOptions, 'onProgress' | 'onEvent' | 'signal'> {
  const c = loaded?.config ?? {};
  const fromConfig = (path: string | undefined) => (path && loaded ? configPath(loaded, path) : undefined);
  const root =
    (flags.data ? userPath(flags.data, env) : undefined) ??
    (env.SWAS_ARCHIVE_DATA ? userPath(env.SWAS_ARCHIVE_DATA, env) : undefined) ??
    fromConfig(c.archive) ??
    userPath('data/archive', env);
  const accounts = flags.profile?.length
    ? flags.profile.map((p) => ({ name: p, profile: p }))
    : flags.account
      ? [{ name: flags.account }]
      : (c.accounts ?? [{ name: 'default' }]);
  const perAction = (
    given: Record<string, number> | undefined,
    file: Partial<Record<Action, number>> | undefined,
  ) => ({ ...file, ...(given as Partial<Record<Action, number>>) }) as Partial<Record<Action, number>>;
  const retentionDays = flags.retentionDays ?? c.retentionDays ?? 14;
  return {
    root,
    accounts,
    endpoint: flags.endpoint ?? c.endpoint,
    timeoutMs: flags.timeoutMs,
    regions: flags.regions ?? c.regions,
    instances: flags.instances ?? c.instances,
    shard: flags.shard ?? (c.shard ? parseShardConfig(c.shard, loaded) : undefined),
    withResults: flags.withResults ?? c.withResults ?? false,
    full: flags.full ?? false,
    budgets: {
      callsPerMinute: perAction(flags.budget, c.budgets?.callsPerMinute),
      inFlight: {
        ...perAction(flags.inFlight, c.budgets?.inFlight),
        ...(flags.concurrency ? { DescribeInvocations: flags.concurrency } : {}),
      },
      accounts: c.budgets?.accounts,
    },
    commitEvery: flags.commitEvery,
    commitIntervalMs:
      flags.commitInterval !== undefined
        ? flags.commitInterval * 1000
        : c.commitInterval
          ? durationMs(c.commitInterval)
          : undefined,
    retentionMs: retentionDays * 86_400_000,
    redaction: redactionOf(loaded, env),
    compactAbove: c.compaction?.above,
    metricsFile: flags.metricsFile ? userPath(flags.metricsFile, env) : fromConfig(c.metricsFile),
  };
}

/** The config's `shard`, checked as the flag is (the schema only checks its form). */
function parseShardConfig(value: string, loaded: LoadedConfig | undefined): { index: number; count: number } {
  try {
    return parseShard(value, `config ${loaded?.path}: shard`);
  } catch (error) {
    throw new ConfigUsageError((error as Error).message);
  }
}

/** The config's redaction policy, its HMAC key read from the environment variable it names. */
function redactionOf(
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): ArchiveJobOptions['redaction'] {
  const r = loaded?.config.redaction;
  if (!r) return undefined;
  const { hmacKeyEnv, ...policy } = r;
  if (!hmacKeyEnv) return policy;
  const hmacKey = env[hmacKeyEnv];
  if (!hmacKey)
    throw new ConfigUsageError(
      `config ${loaded.path}: redaction.hmacKeyEnv names ${hmacKeyEnv}, which is not set: export ${hmacKeyEnv}=<a key of at least 16 characters>`,
    );
  return { ...policy, hmacKey };
}
