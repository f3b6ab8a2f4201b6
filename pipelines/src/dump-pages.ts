/** Where a page's invocations belong and when they were seen, as far as the dump itself says. */
export interface Placement {
  regionId?: string;
  instanceId?: string;
  account?: string;
  observedAt?: Date;
}

/** What one JSON value of a dump is. */
export type DumpEntry =
  /** A `DescribeInvocations` answer (`{ RequestId, TotalCount, …, Invocations: [...] }`), maybe wrapped. */
  | { kind: 'page'; body: Record<string, unknown>; placement: Placement }
  /** One item of `Invocations` alone (a JSON Lines dump of items). */
  | { kind: 'item'; item: Record<string, unknown>; placement: Placement }
  | { kind: 'bad'; reason: string };

/** Keys of a wrapper object that may hold the page. */
const WRAPPED = ['Response', 'Body', 'Page'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a dump's JSON value holds. Accepted: a page as the API answers it (`Invocations` an array, or
 * `{ "Invocation": [...] }` as XML-minded tools print it); a wrapper `{ "RegionId", "InstanceId",
 * "ObservedAt"?, "Account"?, "Response" | "Body" | "Page": <page> }`; a page with `RegionId` /
 * `InstanceId` / `ObservedAt` / `Account` added beside its own fields; one item (`{ "InvokeId", … }`); an
 * array of any of these.
 */
export function dumpEntries(value: unknown): DumpEntry[] {
  if (Array.isArray(value)) return value.flatMap((v) => dumpEntries(v));
  if (!isObject(value)) return [{ kind: 'bad', reason: 'not a JSON object' }];
  const placed = placementOf(value);
  if (typeof placed === 'string') return [{ kind: 'bad', reason: placed }];
  const inner = WRAPPED.map((k) => value[k]).find(isObject);
  if (inner) {
    const own = placementOf(inner);
    if (typeof own === 'string') return [{ kind: 'bad', reason: own }];
    return pageOrItem(inner, { ...own, ...definedOnly(placed) });
  }
  return pageOrItem(value, placed);
}

function pageOrItem(value: Record<string, unknown>, placement: Placement): DumpEntry[] {
  if ('Invocations' in value) {
    const list = value.Invocations;
    const body =
      isObject(list) && Array.isArray(list.Invocation) ? { ...value, Invocations: list.Invocation } : value;
    return [{ kind: 'page', body, placement }];
  }
  if ('InvokeId' in value) return [{ kind: 'item', item: value, placement }];
  if ('Code' in value && 'Message' in value)
    return [
      { kind: 'bad', reason: `an error answer, not a page: ${String(value.Code)}: ${String(value.Message)}` },
    ];
  return [
    { kind: 'bad', reason: 'neither a DescribeInvocations page (no Invocations) nor an item (no InvokeId)' },
  ];
}

/** `RegionId`, `InstanceId`, `Account` and `ObservedAt` of an object, when present; a reason when wrong. */
function placementOf(o: Record<string, unknown>): Placement | string {
  const out: Placement = {};
  for (const [key, field] of [
    ['RegionId', 'regionId'],
    ['InstanceId', 'instanceId'],
    ['Account', 'account'],
  ] as const) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v === '')
      return `${key} must be a non-empty string, got ${JSON.stringify(v)}`;
    out[field] = v;
  }
  const at = o.ObservedAt;
  if (at !== undefined && at !== null) {
    const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (!Number.isFinite(ms)) return `ObservedAt must be an ISO-8601 time, got ${JSON.stringify(at)}`;
    out.observedAt = new Date(ms);
  }
  return out;
}

/** The fields of `p` that are set. */
export function definedOnly(p: Placement): Placement {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Placement;
}
