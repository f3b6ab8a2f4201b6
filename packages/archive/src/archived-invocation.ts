import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog } from './catalog.js';
import type { ObservedResult } from './records.js';
import { tableSelectSql } from './table-sql.js';

/**
 * An invocation as the archive holds it: its latest listing fields in their stored form (redacted as they
 * were written: they cannot be redacted again).
 */
export interface ArchivedInvocation {
  account: string;
  regionId: string;
  instanceId: string;
  invokeId: string;
  creationTime: Date;
  invocationStatus: string;
  invokeStatus: string;
  commandType: string;
  commandName: string;
  commandContent: string | null;
  commandContentBase64: string | null;
  /** JSON text of the parameters map, as stored. */
  parameters: string | null;
}

/** A result fetched later for an archived invocation, to archive as a new observation of it. */
export interface LateResult {
  invocation: ArchivedInvocation;
  result: ObservedResult;
  observedAt: Date;
}

/** Statuses that can still change: an invocation in one of them has no final result yet. */
const NOT_FINAL = ['Pending', 'Running', 'Stopping'];

/**
 * The archived invocations of one instance, created at `since` or later, whose latest state is final and
 * that no observation holds a result for: oldest first (nearest to expiring from the service first).
 * Reads only the partitions from `since` on.
 */
export async function invocationsWithoutResult(
  con: DuckDBConnection,
  archive: { root: string; catalog: Catalog },
  where: { account: string; regionId: string; instanceId: string },
  since: Date,
): Promise<ArchivedInvocation[]> {
  const day = since.toISOString().slice(0, 10);
  const files = archive.catalog.files.filter(
    (f) => f.table === 'invocation_observations' && (f.partition.date ?? '') >= day,
  );
  if (files.length === 0) return [];
  const source = await tableSelectSql(
    con,
    archive.root,
    { ...archive.catalog, files },
    'invocation_observations',
  );
  const prepared = await con.prepare(`SELECT * FROM (
      SELECT account, region_id, instance_id, invoke_id, epoch_ms(creation_time) AS t, invocation_status,
        invoke_status, command_type, command_name, command_content, command_content_base64, parameters,
        bool_or(has_result) OVER k AS any_result,
        row_number() OVER (k ORDER BY observed_at DESC) AS nth
      FROM (${source}) WHERE account = $1 AND region_id = $2 AND instance_id = $3 AND creation_time >= CAST($4 AS TIMESTAMPTZ)
      WINDOW k AS (PARTITION BY invoke_id)
    ) WHERE nth = 1 AND NOT any_result AND invocation_status NOT IN (${NOT_FINAL.map((s) => `'${s}'`).join(', ')})
    ORDER BY t, invoke_id`);
  prepared.bindVarchar(1, where.account);
  prepared.bindVarchar(2, where.regionId);
  prepared.bindVarchar(3, where.instanceId);
  prepared.bindVarchar(4, since.toISOString());
  const rows = (await prepared.runAndReadAll()).getRowObjectsJS();
  return rows.map((r) => ({
    account: String(r.account),
    regionId: String(r.region_id),
    instanceId: String(r.instance_id),
    invokeId: String(r.invoke_id),
    creationTime: new Date(Number(r.t)),
    invocationStatus: String(r.invocation_status),
    invokeStatus: String(r.invoke_status),
    commandType: String(r.command_type),
    commandName: String(r.command_name),
    commandContent: (r.command_content as string | null) ?? null,
    commandContentBase64: (r.command_content_base64 as string | null) ?? null,
    parameters: (r.parameters as string | null) ?? null,
  }));
}
