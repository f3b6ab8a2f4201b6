import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportIncompleteError } from '../errors.js';
import { QuerySession } from '../query-session.js';
import { checkAllArrived } from './export-invocations.js';
import type { ManifestFile } from './export-manifest.js';

let root: string;
let session: QuerySession;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swas-export-complete-'));
  session = await QuerySession.open(root);
});

afterAll(async () => {
  session.close();
  await rm(root, { recursive: true, force: true });
});

const file = (rows: number) => ({ path: 'part-00000.csv', rows, bytes: 1, sha256: '' }) as ManifestFile;

describe('an export counts its rows again before it is published', () => {
  it('passes when the files hold every row of the relation, and refuses a short export naming both counts', async () => {
    await expect(checkAllArrived(session, 'SELECT 5 AS n', {}, [file(2), file(3)])).resolves.toBeUndefined();
    const short = checkAllArrived(session, 'SELECT 5 AS n', {}, [file(2), file(2)]);
    await expect(short).rejects.toBeInstanceOf(ExportIncompleteError);
    await expect(short).rejects.toThrow(/read 4 of the 5 rows/);
    // A count that came back without its row is no count: refused, whatever was written.
    const none = checkAllArrived(session, 'SELECT 0 AS n WHERE false', {}, []);
    await expect(none).rejects.toBeInstanceOf(ExportIncompleteError);
  });
});
