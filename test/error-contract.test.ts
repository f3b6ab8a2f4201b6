import { readFile } from 'node:fs/promises';
import * as archive from '@swas-archive/archive';
import * as cli from '@swas-archive/cli';
import * as client from '@swas-archive/client';
import * as crawler from '@swas-archive/crawler';
import { ERROR_CODES, exitStatusOf, SwasArchiveError } from '@swas-archive/errors';
import * as query from '@swas-archive/query';
import { describe, expect, it } from 'vitest';

/** Every error class a package exports. */
function errorClasses(): [string, new (...args: unknown[]) => SwasArchiveError][] {
  const out: [string, new (...args: unknown[]) => SwasArchiveError][] = [];
  for (const [pkg, mod] of Object.entries({ archive, cli, client, crawler, query })) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && value.prototype instanceof Error)
        out.push([`${pkg}.${name}`, value as new (...args: unknown[]) => SwasArchiveError]);
    }
  }
  return out;
}

describe('one error contract across packages', () => {
  it('every exported error class is a SwasArchiveError with a code from the table', () => {
    const classes = errorClasses();
    expect(classes.length).toBeGreaterThan(10);
    for (const [name, Class] of classes) {
      if (isAbstract(name)) continue;
      const error = new Class('m', { serverCode: 'X', action: 'A' });
      expect(error, name).toBeInstanceOf(SwasArchiveError);
      expect(Object.keys(ERROR_CODES), name).toContain(error.code);
      expect(typeof error.transient, name).toBe('boolean');
      expect(exitStatusOf(error), name).toBeGreaterThanOrEqual(1);
    }
  });

  it('documents every code', async () => {
    const readme = await readFile(new URL('../packages/errors/README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });
});

/** Abstract bases cannot stand alone: they have no code of their own. */
const isAbstract = (name: string) =>
  name === 'client.SwasApiError' || name === 'archive.ArchiveError' || name === 'archive.ArchiveDiskError';
