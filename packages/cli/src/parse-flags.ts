import { resolve } from 'node:path';
import { isStoreUrl } from '@swas-archive/archive';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './exit-codes.js';

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

export function positiveInt(flag: string, least = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < least)
      throw new InvalidArgumentError(`${flag} must be an integer >= ${least}, got "${value}".`);
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${flag} must be an integer >= 0, got "${value}".`);
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

/** Help text of every `--data` flag. */
export const DATA_HELP = 'archive folder (default: $SWAS_ARCHIVE_DATA, else data/archive)';

/** Help text of `--data` where an object-store archive is taken too. */
export const STORE_DATA_HELP = `${DATA_HELP}, s3://bucket/prefix or oss://bucket/prefix`;

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
  userPath(localOnly(flag ?? env.SWAS_ARCHIVE_DATA ?? 'data/archive'), env);

/** Refuses an object-store archive where a command reads or writes a folder. */
export function localOnly(data: string): string {
  if (isStoreUrl(data))
    throw new UsageError(
      `${data}: this command needs an archive folder; object-store archives (s3://, oss://) work with crawl, run archive, query and report only`,
    );
  return data;
}

/** `--memory-limit`: a DuckDB size such as `160MB` or `1GB`. */
export function memorySize(flag: string) {
  return (value: string): string => {
    if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value.trim()))
      throw new InvalidArgumentError(`${flag} must be a size such as 160MB or 1GB, got "${value}".`);
    return value.trim();
  };
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** `--max-bytes`: bytes, or a size such as `256MiB`, `1GB`. */
export function byteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(value.trim());
  const n = m ? Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] as number)) : Number.NaN;
  if (!Number.isFinite(n) || n < 4096)
    throw new InvalidArgumentError(
      `--max-bytes must be a size of at least 4096 bytes (e.g. 64MiB, 1GB), got "${value}".`,
    );
  return n;
}
