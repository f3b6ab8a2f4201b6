import { parseStoreUrl } from '@swas-archive/archive';
import { CONFIG_FILE, configPath, type LoadedConfig, loadConfig } from '@swas-archive/pipelines';
import { localOnly, userPath } from './parse-flags.js';

/** The config file named by `--config`, else `swas-archive.config.json` where the user runs the command, if any. */
export async function findConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<LoadedConfig | undefined> {
  if (flag) return loadConfig(userPath(flag, env));
  const here = userPath(CONFIG_FILE, env);
  return loadConfig(here).catch((error: unknown) => {
    // No file there is the usual case; a file there that cannot be used is an error.
    if ((error as { message?: string }).message?.startsWith('no config file')) return undefined;
    throw error;
  });
}

/** A path of the config file, absolute (taken from the file's folder), or undefined when not set. */
export const pathFromConfig = (loaded: LoadedConfig | undefined, path: string | undefined) =>
  path && loaded ? configPath(loaded, path) : undefined;

/** The archive folder, absolute: `--data`, else `SWAS_ARCHIVE_DATA`, else the config's `archive`, else data/archive. */
export function archiveRootOf(
  flag: string | undefined,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): string {
  if (flag) return userPath(localOnly(flag), env);
  if (env.SWAS_ARCHIVE_DATA) return userPath(localOnly(env.SWAS_ARCHIVE_DATA), env);
  const archive = loaded?.config.archive;
  return pathFromConfig(loaded, archive && localOnly(archive)) ?? userPath('data/archive', env);
}

/**
 * Like {@link archiveRootOf}, for the commands that also take an object-store archive: an `s3://` or
 * `oss://` URL is kept as it is (checked; other schemes are refused with exit 2), a folder made absolute.
 */
export function archiveLocationOf(
  flag: string | undefined,
  loaded: LoadedConfig | undefined,
  env: NodeJS.ProcessEnv,
): string {
  const given = flag ?? env.SWAS_ARCHIVE_DATA ?? loaded?.config.archive;
  if (given && /^[a-z][a-z0-9+.-]*:\/\//i.test(given)) return parseStoreUrl(given).url;
  return archiveRootOf(flag, loaded, env);
}
