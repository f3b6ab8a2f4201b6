import type { Cell } from './columnar-stage.js';
import type { CoverageRecord, InstanceObservation, InvocationObservation, RunRecord } from './records.js';
import type { StoredFields } from './redaction.js';

/** How each column of a table is read off a record, by column name; a column without a getter is NULL. */
export type Getters<T> = Record<string, (row: T) => Cell>;

/** An observation on its way to the stage: `stored` holds its redacted fields when a policy applies. */
export type StoredObservation = InvocationObservation & { stored?: StoredFields };

/** The parameters as JSON text; `{}` for none, without calling `JSON.stringify` (a hot path). */
function parametersJson(parameters: Record<string, string>): string {
  for (const _ in parameters) return JSON.stringify(parameters);
  return '{}';
}

/** The columns of `invocation_observations`; the state hashes are computed in DuckDB (`stateHashesSql`). */
export function observationGetters(runId: string, policyId: string): Getters<StoredObservation> {
  return {
    account: (o) => o.account,
    region_id: (o) => o.regionId,
    instance_id: (o) => o.instanceId,
    invoke_id: (o) => o.invokeId,
    creation_time: (o) => o.creationTime,
    invocation_status: (o) => o.invocationStatus,
    invoke_status: (o) => o.invokeStatus,
    command_type: (o) => o.commandType,
    command_name: (o) => o.commandName,
    command_content: (o) => (o.stored ? o.stored.commandContent : o.commandContent),
    command_content_base64: (o) => (o.stored ? o.stored.commandContentBase64 : o.commandContentBase64),
    parameters: (o) => (o.stored ? o.stored.parameters : parametersJson(o.parameters)),
    observed_at: (o) => o.observedAt,
    run_id: () => runId,
    has_result: (o) => o.result !== undefined,
    exit_code: (o) => o.result?.exitCode,
    output: (o) => (o.stored ? o.stored.output : o.result?.output),
    output_base64: (o) => (o.stored ? o.stored.outputBase64 : o.result?.outputBase64),
    error_code: (o) => o.result?.errorCode,
    error_info: (o) => o.result?.errorInfo,
    start_time: (o) => o.result?.startTime,
    finished_time: (o) => o.result?.finishedTime,
    invoke_user: (o) => o.result?.invokeUser,
    redaction_policy: () => policyId,
  };
}

/** The columns of `instances`; tags become one JSON object. */
export function instanceGetters(runId: string): Getters<InstanceObservation> {
  return {
    account: (i) => i.account,
    region_id: (i) => i.regionId,
    instance_id: (i) => i.instanceId,
    instance_name: (i) => i.instanceName,
    status: (i) => i.status,
    business_status: (i) => i.businessStatus,
    plan_id: (i) => i.planId,
    plan_type: (i) => i.planType,
    charge_type: (i) => i.chargeType,
    creation_time: (i) => i.creationTime,
    expired_time: (i) => i.expiredTime,
    image_id: (i) => i.imageId,
    os_type: (i) => i.osType,
    public_ip_address: (i) => i.publicIpAddress,
    inner_ip_address: (i) => i.innerIpAddress,
    resource_group_id: (i) => i.resourceGroupId,
    uuid: (i) => i.uuid,
    tags: (i) => JSON.stringify(Object.fromEntries(i.tags.map((t) => [t.key, t.value]))),
    released_at: (i) => i.releasedAt,
    observed_at: (i) => i.observedAt,
    run_id: () => runId,
  };
}

/** The columns of `coverage`. */
export function coverageGetters(runId: string): Getters<CoverageRecord> {
  return {
    run_id: () => runId,
    account: (c) => c.account,
    region_id: (c) => c.regionId,
    instance_id: (c) => c.instanceId,
    observed_at: (c) => c.observedAt,
    complete: (c) => c.complete,
    window_start: (c) => c.windowStart,
    window_end: (c) => c.windowEnd,
    joined_previous: (c) => c.joinedPrevious,
    gap_start: (c) => c.gapStart,
    gap_end: (c) => c.gapEnd,
    gap_reason: (c) => c.gapReason,
    detail: (c) => c.detail,
  };
}

/** The columns of `runs`; accounts and calls by action as JSON text. */
export function runGetters(runId: string, policyId: string): Getters<RunRecord> {
  return {
    run_id: () => runId,
    started_at: (r) => r.startedAt,
    finished_at: (r) => r.finishedAt,
    outcome: (r) => r.outcome,
    accounts: (r) => JSON.stringify(r.accounts),
    calls_by_action: (r) => JSON.stringify(r.callsByAction),
    throttles: (r) => r.throttles,
    retries: (r) => r.retries,
    records_new: (r) => r.recordsNew,
    records_changed: (r) => r.recordsChanged,
    instances_complete: (r) => r.instancesComplete,
    instances_incomplete: (r) => r.instancesIncomplete,
    gaps_found: (r) => r.gapsFound,
    redaction_policy: () => policyId,
  };
}
