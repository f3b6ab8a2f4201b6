import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/** `a,b , c` → `['a', 'b', 'c']` */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** `Action=N`, repeatable, into `{ Action: N }`. */
export function actionNumber(flag: string) {
  return (value: string, previous: Record<string, number> = {}): Record<string, number> => {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(value.trim());
    if (!m || Number(m[2]) < 1) {
      throw new InvalidArgumentError(
        `expected Action=N with N >= 1 (e.g. ${flag} DescribeInvocations=600), got "${value}".`,
      );
    }
    return { ...previous, [m[1] as string]: Number(m[2]) };
  };
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${flag} must be an integer >= 1, got "${value}".`);
    return n;
  };
}

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${flag} must be a number > 0, got "${value}".`);
    return n;
  };
}

/** `--shard i/n` (also a config file's `shard`): worker i of n, 0 <= i < n. */
export function parseShard(value: string, what = '--shard'): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new InvalidArgumentError(
      `${what} must be i/n with n >= 1 and 0 <= i < n (shards are numbered from 0, e.g. 0/3, 1/3, 2/3), got "${value}".`,
    );
  return { index, count };
}

/** Help text of every `--data` flag. */
export const DATA_HELP = 'archive folder (default: $SWAS_ARCHIVE_DATA, else data/archive)';

/**
 * A path the user typed, made absolute against the folder the user ran the command from. Under
 * `pnpm swas-archive …` the process runs at the workspace root, and pnpm passes the user's folder in
 * `INIT_CWD`; it is trusted only inside a package script (`npm_lifecycle_event` set), where it is fresh.
 */
export function userPath(path: string, env: NodeJS.ProcessEnv): string {
  const from = env.npm_lifecycle_event && env.INIT_CWD ? env.INIT_CWD : process.cwd();
  return resolve(from, path);
}

/** The archive folder, absolute: the flag, else `SWAS_ARCHIVE_DATA`, else `data/archive`. */
export const dataDir = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  userPath(flag ?? env.SWAS_ARCHIVE_DATA ?? 'data/archive', env);

/** `--memory-limit`: a DuckDB size such as `160MB` or `1GB`. */
export function memorySize(flag: string) {
  return (value: string): string => {
    if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value.trim()))
      throw new InvalidArgumentError(`${flag} must be a size such as 160MB or 1GB, got "${value}".`);
    return value.trim();
  };
}
