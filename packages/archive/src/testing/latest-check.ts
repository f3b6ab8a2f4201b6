import type { Catalog } from '../catalog.js';
import { queryCommitted } from './query-committed.js';

const KEY = 'account, region_id, instance_id, invoke_id';

/**
 * The latest state every invocation's history implies, computed from the observations alone: the newest
 * final listing, else the newest (a final status is never left).
 */
const FROM_HISTORY = `WITH latest AS (
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
    r.result_observed_at IS NOT NULL AS has_result,
    r.exit_code, r.output, r.output_base64, r.error_code, r.error_info, r.start_time, r.finished_time, r.invoke_user,
    c.first_observed_at, c.last_observed_at, r.result_observed_at, c.observations,
    l.run_id AS last_run_id, l.redaction_policy
  FROM latest l LEFT JOIN results r USING (${KEY}) JOIN counts c USING (${KEY})`;

/**
 * The rows of the maintained latest-state dataset that differ from what the history implies, each side
 * labelled; empty when they are equal row for row.
 */
export async function latestVersusHistory(archive: { root: string; catalog: Catalog }): Promise<unknown[]> {
  const cols = `account, region_id, instance_id, invoke_id, creation_time, invocation_status, invoke_status,
    command_type, command_name, command_content, command_content_base64, parameters, has_result, exit_code,
    output, output_base64, error_code, error_info, start_time, finished_time, invoke_user, first_observed_at,
    last_observed_at, result_observed_at, observations, last_run_id, redaction_policy`;
  return queryCommitted(
    archive,
    `(SELECT 'maintained only' AS side, * FROM (SELECT ${cols} FROM invocations_latest EXCEPT ALL SELECT ${cols} FROM (${FROM_HISTORY})))
     UNION ALL
     (SELECT 'history only' AS side, * FROM (SELECT ${cols} FROM (${FROM_HISTORY}) EXCEPT ALL SELECT ${cols} FROM invocations_latest))
     LIMIT 10`,
  );
}

/**
 * The rows of the maintained daily counts that differ from the counts of the latest state the history
 * implies (per UTC creation day, account, region, instance, command name and type, and status), each side
 * labelled; empty when they are equal row for row.
 */
export async function dailyCountsVersusHistory(archive: {
  root: string;
  catalog: Catalog;
}): Promise<unknown[]> {
  const cols = `day, account, region_id, instance_id, command_name, command_type, invocation_status, invocations,
    last_creation_time`;
  // Counted here the plain way (a time-zone-aware date_trunc), not the way the archive counts them.
  const counted = `SELECT date_trunc('day', creation_time) AS day, account, region_id, instance_id, command_name,
      command_type, invocation_status, count(*) AS invocations, max(creation_time) AS last_creation_time
    FROM (${FROM_HISTORY}) GROUP BY ALL`;
  return queryCommitted(
    archive,
    `(SELECT 'maintained only' AS side, * FROM (SELECT ${cols} FROM invocations_daily EXCEPT ALL SELECT ${cols} FROM (${counted})))
     UNION ALL
     (SELECT 'history only' AS side, * FROM (SELECT ${cols} FROM (${counted}) EXCEPT ALL SELECT ${cols} FROM invocations_daily))
     LIMIT 10`,
  );
}
