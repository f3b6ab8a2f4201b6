import { DuckDBInstance } from '@duckdb/node-api';
import { type Catalog, TABLE_NAMES, type TableName } from '@swas-archive/archive';

/** The key of an invocation. */
const KEY = 'account, region_id, instance_id, invoke_id';

/** The columns of `invocations`, in order. */
const INVOCATION_COLUMNS = `account, region_id, instance_id, invoke_id, creation_time, invocation_status, invoke_status,
  command_type, command_name, command_content, command_content_base64, parameters,
  exit_code, output, output_base64, error_code, error_info, start_time, finished_time, invoke_user,
  first_observed_at, last_observed_at, result_observed_at, observations, last_run_id, redaction_policy`;

/**
 * The documented views of an archive with that catalog, a stable contract (see the package README). Each
 * is defined over the raw tables; `invocations` reads the maintained latest-state dataset where the
 * archive keeps one, and computes the same from the history where it does not (yet).
 */
export function viewsFor(catalog: Catalog): readonly { name: string; sql: string }[] {
  if (!catalog.features?.includes('latest-state')) return VIEWS;
  return VIEWS.map((v) =>
    v.name === 'invocations'
      ? { name: v.name, sql: `SELECT ${INVOCATION_COLUMNS} FROM invocations_latest` }
      : v,
  );
}

/** The views, `invocations` computed from the history. */
const VIEWS: readonly { name: string; sql: string }[] = [
  {
    name: 'invocation_history',
    sql: `SELECT * FROM invocation_observations`,
  },
  {
    name: 'invocations',
    // The newest final listing, else the newest, as the maintained latest state keeps it.
    sql: `WITH latest AS (
        SELECT * FROM invocation_observations
        QUALIFY row_number() OVER (PARTITION BY ${KEY}
          ORDER BY invocation_status NOT IN ('Pending', 'Running', 'Stopping') DESC, observed_at DESC) = 1
      ), results AS (
        SELECT ${KEY}, exit_code, output, output_base64, error_code, error_info, start_time, finished_time, invoke_user,
          observed_at AS result_observed_at
        FROM invocation_observations WHERE has_result
        QUALIFY row_number() OVER (PARTITION BY ${KEY} ORDER BY observed_at DESC) = 1
      ), counts AS (
        SELECT ${KEY}, min(observed_at) AS first_observed_at, max(observed_at) AS last_observed_at,
          count(*) AS observations
        FROM invocation_observations GROUP BY ALL
      )
      SELECT l.account, l.region_id, l.instance_id, l.invoke_id, l.creation_time, l.invocation_status, l.invoke_status,
        l.command_type, l.command_name, l.command_content, l.command_content_base64, l.parameters,
        r.exit_code, r.output, r.output_base64, r.error_code, r.error_info, r.start_time, r.finished_time, r.invoke_user,
        c.first_observed_at, c.last_observed_at, r.result_observed_at, c.observations,
        l.run_id AS last_run_id, l.redaction_policy
      FROM latest l LEFT JOIN results r USING (${KEY}) JOIN counts c USING (${KEY})`,
  },
  {
    name: 'instances_latest',
    sql: `SELECT * FROM instances QUALIFY row_number() OVER (PARTITION BY account, region_id, instance_id ORDER BY observed_at DESC) = 1`,
  },
  {
    name: 'gaps',
    sql: `SELECT g.run_id, g.account, g.region_id, g.instance_id, g.observed_at, g.gap_start, g.gap_end, g.gap_reason, g.detail,
        EXISTS (
          SELECT 1 FROM coverage c
          WHERE c.account = g.account AND c.region_id = g.region_id AND c.instance_id = g.instance_id
            AND c.observed_at > g.observed_at AND c.complete AND c.window_start <= g.gap_start
            -- A complete walk proves everything created up to when it walked, not only up to its newest
            -- record: a quiet instance's later window ends before a failed run's gap, which ends at that run.
            AND greatest(c.window_end, c.observed_at) >= coalesce(g.gap_end, g.gap_start)
        ) AS resolved
      FROM coverage g WHERE g.gap_reason IS NOT NULL`,
  },
];

/** The datasets each view reads (`invocations` depends on the catalog; see {@link viewsFor}). */
const VIEW_DATASETS: Readonly<Record<string, readonly TableName[]>> = {
  invocation_history: ['invocation_observations'],
  instances_latest: ['instances'],
  gaps: ['coverage'],
};

/** Table functions that read no table: a statement using only these names its tables plainly. */
const TABLELESS_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/**
 * The tables and views `sql` names, found in DuckDB's own parse of it (`json_serialize_sql`), lower case;
 * common table expressions are among them. Undefined when that cannot be told: DuckDB cannot serialize
 * the statement, or it reads through a table function (`query_table('runs')`, `read_parquet(…)`) or
 * names a file rather than a table (`FROM 'runs/…/x.parquet'`).
 */
export async function tablesNamedIn(sql: string): Promise<Set<string> | undefined> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  let tree: { error?: boolean };
  try {
    const reader = await con.runAndReadAll('SELECT json_serialize_sql($sql::VARCHAR) AS tree', { sql });
    tree = JSON.parse(String(reader.getRowObjects()[0]?.tree ?? '{"error":true}'));
  } finally {
    con.closeSync();
    db.closeSync();
  }
  if (tree.error) return undefined;
  const named = new Set<string>();
  let untold = false;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { type?: string; table_name?: string; function?: { function_name?: string } };
      if (n.type === 'BASE_TABLE' && n.table_name) named.add(n.table_name.toLowerCase());
      if (n.type === 'BASE_TABLE' && /[/.]/.test(n.table_name ?? '')) untold = true;
      if (n.type === 'TABLE_FUNCTION' && !TABLELESS_FUNCTIONS.has(n.function?.function_name ?? ''))
        untold = true;
      Object.values(node).forEach(walk);
    }
  };
  walk(tree);
  return untold ? undefined : named;
}

/**
 * The datasets a statement naming `names` (see {@link tablesNamedIn}) can read in an archive with that
 * catalog: the tables it names, and those under the views it names; other names read nothing. Used to
 * fetch only what a query needs from an object-store archive.
 */
export function datasetsUnder(names: ReadonlySet<string>, catalog: Catalog): Set<TableName> {
  const latest = catalog.features?.includes('latest-state');
  const datasets = new Set<TableName>();
  for (const name of names) {
    if (name === 'invocations') datasets.add(latest ? 'invocations_latest' : 'invocation_observations');
    for (const t of VIEW_DATASETS[name] ?? []) datasets.add(t);
    if ((TABLE_NAMES as readonly string[]).includes(name)) datasets.add(name as TableName);
  }
  return datasets;
}
