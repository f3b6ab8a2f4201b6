import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_FAILURE_STATUSES, failureRate, NON_FINAL_STATUSES, QuerySession } from '@swas-archive/query';
import { median, peakRssOfCli, timeCli, timings, warmMedian } from './measure.js';
import { buildReadSideArchive, type ReadSideBuild } from './read-side-archive.js';
import type { BenchResult, Figure } from './results.js';

const DAY_MS = 86_400_000;

/** Where the bench keeps its archive and JSON lines between runs (gitignored; about 4 GB). */
const CACHE = fileURLToPath(new URL('./cache/read-side', import.meta.url));

/**
 * The read side over an archive of ten million invocations written by the archive's own writer in 100
 * commits (see {@link buildReadSideArchive}), against DuckDB over the same records as raw API JSON lines:
 * reports warm in one session (the median of 5 runs after one), the `report` command as a whole process,
 * and the peak RSS of a CSV export of the whole history. The archive and the JSON lines are built once
 * (some 20 minutes) into `test/bench/cache/read-side` and reused by later runs; remove the folder to
 * rebuild. `SWAS_BENCH_READ_SIDE_ARCHIVE=<dir>` keeps them elsewhere, `SWAS_BENCH_READ_SIDE_PER_COMMIT`
 * makes a smaller one (in a temporary folder unless named). (One function on purpose: a benchmark reads
 * as its procedure, top to bottom.)
 */
export async function readSide(): Promise<BenchResult> {
  const perCommit = Number(process.env.SWAS_BENCH_READ_SIDE_PER_COMMIT ?? 100_000);
  const reuse = process.env.SWAS_BENCH_READ_SIDE_ARCHIVE ?? (perCommit === 100_000 ? CACHE : undefined);
  const dir = reuse ?? (await mkdtemp(join(tmpdir(), 'bench-read-side-')));
  try {
    const built = await buildReadSideArchive(dir, 100, perCommit);
    process.stderr.write(
      `  archive built in ${built.seconds} s (commits ${built.commitSeconds} s)${reuse ? `, kept in ${dir}` : ''}\n`,
    );
    const figures: Figure[] = [];
    const start = new Date(built.start);
    const end = new Date(built.end);
    const size = `${(built.invocations / 1e6).toLocaleString('en-US')} M invocations, ${built.commits} commits`;

    // Warm, in one session with the defaults a user gets.
    const session = await QuerySession.open(built.root);
    let all: Awaited<ReturnType<typeof failureRate>>;
    try {
      const byDayRegion = () =>
        failureRate(session, { since: start, until: end, by: 'day', group: 'region' });
      all = await byDayRegion();
      const allMs = await warmMedian(byDayRegion);
      const monthStart = new Date(end.getTime() - 30 * DAY_MS);
      const monthMs = await warmMedian(() =>
        failureRate(session, {
          since: monthStart,
          until: end,
          by: 'week',
          group: 'command',
          regions: ['cn-beijing'],
        }),
      );
      const instance = String(
        (await session.run(`SELECT min(instance_id) AS id FROM coverage WHERE region_id = 'cn-beijing'`))
          .rows[0]?.id,
      );
      const historyMs = await warmMedian(() =>
        session.run(
          'SELECT * FROM invocation_history WHERE instance_id = $id ORDER BY creation_time, observed_at',
          {
            id: instance,
          },
        ),
      );
      const json = await jsonBaseline(built, all.rows);
      figures.push(
        {
          name: 'failure rate by day × region over all of it (report, warm)',
          value: allMs,
          unit: 'ms',
          goal: { value: 300, better: 'lower' },
          note: `${size}; median of 5, default session: 1 thread, 160MB`,
        },
        {
          name: 'the same over the raw API JSON lines (DuckDB read_ndjson, warm)',
          value: json.ms,
          unit: 'ms',
          note: `${Math.round(json.bytes / 1e6).toLocaleString('en-US')} MB of JSON; median of 3, DuckDB's defaults (2 threads)`,
        },
        {
          name: 'archive ÷ raw JSON speed-up',
          value: Math.round((json.ms / allMs) * 10) / 10,
          unit: '×',
          goal: { value: 5, better: 'higher' },
        },
        {
          name: 'failure rate by week × command, one region, 30 days (report, warm)',
          value: monthMs,
          unit: 'ms',
          goal: { value: 100, better: 'lower' },
        },
        {
          name: "one instance's whole history (warm)",
          value: historyMs,
          unit: 'ms',
          goal: { value: 50, better: 'lower' },
        },
      );
    } finally {
      session.close();
    }

    // Whole processes of the built CLI.
    const reportArgs = [
      'report',
      'failure-rate',
      '--by',
      'day',
      '--group',
      'region',
      '--since',
      built.start.slice(0, 10),
      '--data',
      built.root,
    ];
    const runs = await timings(() => timeCli(reportArgs), 5);
    figures.push({
      name: '`swas-archive report failure-rate --by day --group region` as a whole process',
      value: median(runs),
      unit: 'ms',
      goal: { value: 1500, better: 'lower' },
      note: `median of 5 processes, Node start included; the first ${Math.round(runs[0] ?? 0)} ms`,
    });
    const rss = await peakRssOfCli([
      'query',
      '--data',
      built.root,
      '--format',
      'csv',
      'SELECT * FROM invocation_history',
    ]);
    figures.push({
      name: 'peak RSS of `query "SELECT * FROM invocation_history" --format csv > /dev/null`',
      value: Math.round(rss.bytes / 1e6),
      unit: 'MB',
      goal: { value: 300, better: 'lower' },
      note: `${built.observations.toLocaleString('en-US')} observations in ${Math.round(rss.seconds)} s`,
    });
    figures.push(
      {
        name: 'build: generate and commit the archive, write the JSON lines',
        value: built.seconds,
        unit: 's',
        note: size,
      },
      { name: 'build: of it, the 100 commits', value: built.commitSeconds, unit: 's' },
    );
    return { bench: 'read-side', figures };
  } finally {
    if (!reuse) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * DuckDB over the raw API JSON lines, the way someone without the archive would query them: the failure
 * rate by day and region with the report's statuses, warm (median of 3 after one run), with DuckDB's
 * defaults. Checks that it counts what the archive's report counts.
 */
async function jsonBaseline(
  built: ReadSideBuild,
  reportRows: readonly { period: string; group: string | null; total: number; failed: number }[],
): Promise<{ ms: number; bytes: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(`SET TimeZone = 'UTC'`);
    const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
    const sql = `SELECT strftime(CAST(CreationTime AS TIMESTAMPTZ), '%Y-%m-%d') AS period, RegionId AS region,
        count(*) FILTER (WHERE NOT list_contains(${list(NON_FINAL_STATUSES)}, InvocationStatus)) AS total,
        count(*) FILTER (WHERE list_contains(${list(DEFAULT_FAILURE_STATUSES)}, InvocationStatus)) AS failed
      FROM read_ndjson('${built.jsonl}') GROUP BY ALL ORDER BY ALL`;
    const run = () => con.runAndReadAll(sql);
    const rows = (await run()).getRowObjects();
    const ms = median(await timings(run, 3));
    // The same records: every (day, region) counts the same in both.
    const expected = new Map(
      reportRows.filter((r) => r.total > 0).map((r) => [`${r.period}/${r.group}`, `${r.total}/${r.failed}`]),
    );
    const got = new Map(rows.map((r) => [`${r.period}/${r.region}`, `${r.total}/${r.failed}`]));
    if (expected.size !== got.size || [...got].some(([k, v]) => expected.get(k) !== v)) {
      throw new Error(
        `the report and the JSON lines disagree (${expected.size} vs ${got.size} day × region rows)`,
      );
    }
    return { ms, bytes: (await stat(built.jsonl)).size };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
