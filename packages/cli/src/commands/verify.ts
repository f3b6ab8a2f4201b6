import { verifyArchive } from '@swas-archive/archive';
import { EXIT } from '../exit-codes.js';
import type { CommandIo } from '../io.js';
import { dataDir } from '../parse-flags.js';
import { requireArchive } from './query.js';

/** `swas-archive verify`: every committed file against its checksum and row count. */
export async function verifyCommand(flags: { data?: string; json: boolean }, io: CommandIo): Promise<number> {
  const root = dataDir(flags.data, io.env);
  await requireArchive(root);
  const report = await verifyArchive(root);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `${report.ok ? 'ok' : 'DAMAGED'}: ${report.files} files, ${report.rows} rows, catalog version ${report.catalogVersion} (${report.root})`,
      ...report.missing.map((p) => `missing ${p}`),
      ...report.unreadable.map((u) => `unreadable ${u.path}: ${u.reason}`),
      ...report.corrupt.map((c) => `corrupt ${c.path}: ${c.reason}`),
      ...report.unexpected.map((p) => `unexpected ${p}`),
      ...report.pendingCommits.map((p) => `pending commit ${p} (finished by the next crawl)`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.damaged;
}
