import { type ArchiveJobOptions, durationMs, type LoadedConfig } from '@swas-archive/pipelines';
import { ConfigUsageError, UsageError } from '../exit-codes.js';

/** A duration flag (or the config's value) in ms; a usage error when it is not one. */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  try {
    ms = durationMs(value);
  } catch {
    throw new UsageError(`${flag} must be a duration such as 8h, 90m or 2d, got "${value}".`);
  }
  if (!(ms > 0))
    throw new UsageError(`${flag} must be longer than 0, such as 8h, 90m or 2d, got "${value}".`);
  return ms;
}

/** The config's redaction policy, its HMAC key read from the environment variable it names. */
export function redactionOf(
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
