import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openArchive } from './index.js';
import { makeObservations } from './testing/fixtures.js';
import { queryCommitted } from './testing/query-committed.js';
import { removeTempRoots, withArchive } from './testing/temp-archive.js';

const AT = new Date('2026-11-20T10:00:00Z');
afterAll(removeTempRoots);

describe('redaction at write time', () => {
  it('drops or keyed-hashes content, parameters and output, and records the policy', async () => {
    const policy = {
      id: 'pii-2026',
      commandContent: 'hmac',
      parameters: 'drop',
      output: 'drop',
      hmacKey: 'a-key-of-sixteen-chars',
    } as const;
    await withArchive(
      async (a, root) => {
        const obs = makeObservations(50, AT);
        const s = a.beginSnapshot('run-1');
        await s.addObservations(obs);
        await s.commit();
        const rows = await queryCommitted(
          a,
          'SELECT DISTINCT command_content, parameters, output, output_base64, redaction_policy FROM invocation_observations',
        );
        expect(rows.every((r) => /^hmac-sha256:[0-9a-f]{64}$/.test(String(r.command_content)))).toBe(true);
        expect(
          rows.every((r) => r.parameters === null && r.output === null && r.output_base64 === null),
        ).toBe(true);
        expect(new Set(rows.map((r) => r.redaction_policy))).toEqual(new Set(['pii-2026']));
        expect(new Set(rows.map((r) => r.command_content)).size).toBe(
          new Set(obs.map((o) => o.commandContent)).size,
        );
        expect(a.catalog.snapshots[0]?.redactionPolicyId).toBe('pii-2026');
        const bytes = await Promise.all(a.catalog.files.map((f) => readFile(join(root, f.path))));
        for (const b of bytes) {
          expect(b.includes('find /var/log')).toBe(false);
          expect(b.includes('a-key-of-sixteen-chars')).toBe(false);
        }
        expect((await readFile(join(root, 'catalog.json'), 'utf8')).includes('a-key-of-sixteen-chars')).toBe(
          false,
        );
      },
      { redaction: policy },
    );
  });

  it('refuses an hmac policy without a key', async () => {
    await expect(
      openArchive({ root: join(tmpdir(), 'never-created'), redaction: { id: 'x', output: 'hmac' } }),
    ).rejects.toThrow(/hmacKey of at least 16 characters/);
  });
});
