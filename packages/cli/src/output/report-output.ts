import type { ReportCoverage, ReportResult, RowChunk, UserValue } from '@swas-archive/query';
import type { OutputFormat } from './output-format.js';
import { OutputClosedError, OutputStream } from './output-stream.js';
import { writeRows } from './write-rows.js';

/**
 * Prints a report: `json` is one object (everything but `columns`: the period, the settings, `coverage`,
 * then `rows`); `table` prints the rows on stdout and the coverage statement on stderr; `csv`, `jsonl`
 * and `arrow` carry the rows only (each row says whether a gap touches it).
 */
export async function writeReport(
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  format: OutputFormat,
  result: ReportResult<object>,
  notes: string[] = [],
): Promise<void> {
  if (format === 'json') {
    const { columns: _columns, rows, ...rest } = result;
    try {
      await new OutputStream(io.stdout).write(`${JSON.stringify({ ...rest, rows }, null, 2)}\n`);
    } catch (error) {
      if (!(error instanceof OutputClosedError)) throw error;
    }
    return;
  }
  if (format === 'table') io.stderr.write(coverageStatement(result, notes));
  const names = result.columns.map((c) => c.name);
  const rows = result.rows as Record<string, UserValue>[];
  const chunk: RowChunk = {
    length: rows.length,
    *[Symbol.iterator]() {
      for (const row of rows) yield names.map((n) => row[n] ?? null);
    },
  };
  await writeRows(io.stdout, format, result.columns, oneChunk(chunk));
}

async function* oneChunk(chunk: RowChunk): AsyncGenerator<RowChunk> {
  yield chunk;
}

/** What the archive can vouch for in the report's period, for people: complete, or each gap. */
export function coverageStatement(result: ReportResult<object>, notes: string[] = []): string {
  const c: ReportCoverage = result.coverage;
  const instances = new Set(c.windows.map((w) => `${w.account}/${w.region_id}/${w.instance_id}`)).size;
  const open = c.gaps.filter((g) => !g.resolved);
  const lines = [
    `${result.report}: creation times ${result.since} to ${result.until} (UTC)`,
    ...notes,
    `coverage ${c.since} to ${c.until}: ${instances} instance${instances === 1 ? '' : 's'} with windows proven complete; ${
      open.length === 0
        ? 'no unresolved gap'
        : `${open.length} unresolved gap${open.length === 1 ? '' : 's'}: rows with gap=true may be missing invocations`
    }`,
    ...c.gaps.map(
      (g) =>
        `  ${g.resolved ? 'resolved gap' : 'GAP'} ${g.account}/${g.region_id}/${g.instance_id} (${g.gap_reason}) from ${g.gap_start ?? 'the beginning'} to ${g.gap_end ?? `at most ${g.found_at}`}${g.detail ? `: ${g.detail}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
