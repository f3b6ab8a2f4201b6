import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIOME = join(ROOT, 'node_modules/.bin/biome');

/** Lints probe files, each importing one package, with the repository's Biome config; returns the output. */
async function lintProbes(probes: Record<string, string>): Promise<{ failed: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'swas-layering-'));
  try {
    await copyFile(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    for (const [path, from] of Object.entries(probes)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), `import * as probe from '${from}';\nexport const used = probe;\n`);
    }
    try {
      const { stdout, stderr } = await promisify(execFile)(BIOME, ['lint', '--vcs-enabled=false', '.'], {
        cwd: dir,
      });
      return { failed: false, output: stdout + stderr };
    } catch (error) {
      const e = error as { stdout: string; stderr: string };
      return { failed: true, output: e.stdout + e.stderr };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('packages depend only downward, and the linter says so', () => {
  it('refuses an import from a higher layer', async () => {
    const { failed, output } = await lintProbes({
      'packages/archive/src/a.ts': '@swas-archive/crawler',
      'packages/client/src/b.ts': '@swas-archive/archive',
      'packages/query/src/c.ts': '@swas-archive/cli',
      'packages/emulator/src/d.ts': '@swas-archive/client',
    });
    expect(failed).toBe(true);
    for (const file of ['archive/src/a.ts', 'client/src/b.ts', 'query/src/c.ts', 'emulator/src/d.ts'])
      expect(output).toContain(file);
  });

  it('accepts an import from a lower layer', async () => {
    const { failed, output } = await lintProbes({
      'packages/crawler/src/a.ts': '@swas-archive/archive',
      'packages/query/src/b.ts': '@swas-archive/archive',
      'packages/cli/src/c.ts': '@swas-archive/crawler',
      'packages/archive/src/d.ts': '@swas-archive/errors',
    });
    expect(output).not.toContain('noRestrictedImports');
    expect(failed).toBe(false);
  });
});
