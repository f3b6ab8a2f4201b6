import { readFileSync } from 'node:fs';

/** This program's version (its package's), for `--version` and export manifests. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
