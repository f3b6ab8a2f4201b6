import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How to run this program again from any folder, as the user ran it: `swas-archive` when it was run by
 * that name (on the PATH), else `pnpm --dir <workspace> swas-archive` under pnpm, else `node <bin.js>`.
 */
export function selfCommand(env: NodeJS.ProcessEnv, argv1 = process.argv[1] ?? ''): string {
  if (env.npm_lifecycle_event === 'swas-archive' && env.INIT_CWD) {
    // The workspace root: this file is packages/cli/{src,dist}/self-command.*
    const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
    return `pnpm --dir ${shellQuote(workspace)} swas-archive`;
  }
  if (/(^|\/)swas-archive$/.test(argv1)) return 'swas-archive';
  return `node ${shellQuote(resolve(argv1))}`;
}

/** `s` quoted for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
