import { createHmac } from 'node:crypto';
import type { LateResult } from './archived-invocation.js';
import { ArchiveUsageError } from './errors.js';
import type { InvocationObservation } from './records.js';

/** What to do with one sensitive field at write time. */
export type RedactionAction = 'keep' | 'drop' | 'hmac';

/**
 * Redaction applied when observations are written. `hmac` replaces a value by
 * `hmac-sha256:<hex>` keyed with `hmacKey`, so equal values stay equal (and joinable) without being
 * readable. The policy id is recorded with every snapshot and row.
 */
export interface RedactionPolicy {
  /** Recorded with every row and snapshot: 1–64 letters, digits or `._:-`. */
  id: string;
  /** @default 'keep' */
  commandContent?: RedactionAction;
  /** Applied to each parameter value; names are kept. @default 'keep' */
  parameters?: RedactionAction;
  /** @default 'keep' */
  output?: RedactionAction;
  /** Required when any field is `hmac`: at least 16 characters. Never written anywhere. */
  hmacKey?: string;
}

/** The default policy: every field kept. */
export const NO_REDACTION: RedactionPolicy = { id: 'none' };

const ACTIONS: readonly RedactionAction[] = ['keep', 'drop', 'hmac'];

/** Returns `policy` if it can be used; throws {@link ArchiveUsageError} saying how to fix it otherwise. */
export function validateRedactionPolicy(policy: RedactionPolicy): RedactionPolicy {
  if (!policy.id || !/^[\w.:-]{1,64}$/.test(policy.id)) {
    throw new ArchiveUsageError(
      `redaction policy id must be 1–64 letters, digits or ._:-, got "${policy.id}"`,
    );
  }
  const fields = [policy.commandContent, policy.parameters, policy.output];
  for (const action of fields) {
    if (action !== undefined && !ACTIONS.includes(action)) {
      throw new ArchiveUsageError(`redaction action must be one of ${ACTIONS.join(', ')}, got "${action}"`);
    }
  }
  if (fields.includes('hmac') && (policy.hmacKey ?? '').length < 16) {
    throw new ArchiveUsageError('redaction policy uses hmac: give an hmacKey of at least 16 characters');
  }
  return policy;
}

/** The sensitive fields of an observation as they are stored: `null` where the policy dropped them. */
export interface StoredFields {
  commandContent: string | null;
  commandContentBase64: string | null;
  /** JSON text of the parameters map. */
  parameters: string | null;
  output: string | null;
  outputBase64: string | null;
}

/** Applies `policy` to the sensitive fields of `obs`. */
export function redactFields(obs: InvocationObservation, policy: RedactionPolicy): StoredFields {
  const { commandContent = 'keep', parameters = 'keep', output = 'keep' } = policy;
  const hmac = (value: string) =>
    `hmac-sha256:${createHmac('sha256', policy.hmacKey ?? '')
      .update(value)
      .digest('hex')}`;
  const result = obs.result;
  return {
    commandContent:
      commandContent === 'keep'
        ? obs.commandContent
        : commandContent === 'drop'
          ? null
          : hmac(obs.commandContentBase64 ?? obs.commandContent),
    commandContentBase64: commandContent === 'keep' ? (obs.commandContentBase64 ?? null) : null,
    parameters:
      parameters === 'keep'
        ? JSON.stringify(obs.parameters)
        : parameters === 'drop'
          ? null
          : JSON.stringify(Object.fromEntries(Object.entries(obs.parameters).map(([k, v]) => [k, hmac(v)]))),
    output: !result
      ? null
      : output === 'keep'
        ? result.output
        : output === 'drop'
          ? null
          : hmac(result.outputBase64 ?? result.output),
    outputBase64: result && output === 'keep' ? (result.outputBase64 ?? null) : null,
  };
}

/**
 * The stored fields of a result fetched later for an archived invocation: its listing fields as the
 * archive already holds them (redacted when written), its output redacted by `policy` now.
 */
export function lateResultFields(late: LateResult, policy: RedactionPolicy): StoredFields {
  const { output = 'keep' } = policy;
  const r = late.result;
  const hmac = (value: string) =>
    `hmac-sha256:${createHmac('sha256', policy.hmacKey ?? '')
      .update(value)
      .digest('hex')}`;
  return {
    commandContent: late.invocation.commandContent,
    commandContentBase64: late.invocation.commandContentBase64,
    parameters: late.invocation.parameters,
    output: output === 'keep' ? r.output : output === 'drop' ? null : hmac(r.outputBase64 ?? r.output),
    outputBase64: output === 'keep' ? (r.outputBase64 ?? null) : null,
  };
}
