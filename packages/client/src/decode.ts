import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import type { Instance, Invocation, InvocationResult, Page, Region } from './types.js';

/** Base64 text decoded as UTF-8, with the original kept when it is not valid UTF-8. */
export interface DecodedText {
  text: string;
  base64?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const base64Text = z.string().transform((s): DecodedText => {
  // Not base64 (another implementation, or a value sent as plain text): kept exactly as sent. Refusing it
  // would refuse the whole page, and so every record of the instance, in every run until it expires.
  if (s.length % 4 !== 0 || !BASE64.test(s)) return { text: s };
  const bytes = Buffer.from(s, 'base64');
  return isUtf8(bytes) ? { text: bytes.toString('utf8') } : { text: bytes.toString('utf8'), base64: s };
});

/** An API time (`2022-07-11T06:37:16Z`) as a UTC `Date`. */
const apiTime = z
  .string()
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) &&
      Number.isFinite(Date.parse(s)),
    'is not an ISO-8601 time',
  )
  .transform((s) => new Date(Date.parse(s)));

/** An API time that is empty (or absent) until the event happens. */
const optionalApiTime = z
  .union([z.literal(''), apiTime])
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const count = z.number().int().nonnegative();

const parameterValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => own(String(v)));

/** `Parameters` is documented as a map; a JSON string holding a map is accepted too. */
const parameters = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    if (v === '') return {};
    try {
      return JSON.parse(v);
    } catch {
      // Not JSON: passed on as the string it is, so that the map check below names the field.
      return v;
    }
  },
  z.record(z.string(), parameterValue),
);

const page = { RequestId: z.string(), TotalCount: count, PageNumber: count, PageSize: count };

const regionsSchema = z.object({
  RequestId: z.string(),
  Regions: z.array(
    z.object({ RegionId: z.string().min(1), LocalName: z.string(), RegionEndpoint: z.string().optional() }),
  ),
});

const optionalString = z.string().optional();

const instancesSchema = z.object({
  ...page,
  Instances: z.array(
    z.object({
      InstanceId: z.string().min(1),
      InstanceName: z.string(),
      RegionId: z.string().min(1),
      Status: z.string(),
      BusinessStatus: optionalString,
      PlanId: optionalString,
      PlanType: optionalString,
      ChargeType: optionalString,
      CreationTime: optionalApiTime,
      ExpiredTime: optionalApiTime,
      ImageId: optionalString,
      Image: z.object({ OsType: optionalString }).partial().optional(),
      PublicIpAddress: optionalString,
      InnerIpAddress: optionalString,
      ResourceGroupId: optionalString,
      Uuid: optionalString,
      Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
    }),
  ),
});

const invocationsSchema = z.object({
  ...page,
  Invocations: z.array(
    z.object({
      InvokeId: z.string().min(1),
      CreationTime: apiTime,
      InvocationStatus: z.string().min(1),
      InvokeStatus: z.string().min(1),
      CommandType: z.string(),
      CommandName: z.string(),
      CommandContent: base64Text,
      Parameters: parameters,
    }),
  ),
});

/** An optional field that some implementations send as `null` rather than leave out. */
const maybe = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

/** An integer, also when sent as its decimal text. */
const integer = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

const resultSchema = z.object({
  RequestId: z.string(),
  InvocationResult: z.object({
    InvokeId: z.string().min(1),
    InstanceId: z.string().min(1),
    InvocationStatus: z.string().min(1),
    InvokeRecordStatus: z.string().min(1),
    ExitCode: maybe(integer),
    Output: maybe(base64Text),
    ErrorCode: maybe(z.string()),
    ErrorInfo: maybe(z.string()),
    StartTime: maybe(z.union([z.literal(''), apiTime]).transform((v) => (v === '' ? undefined : v))),
    FinishedTime: maybe(z.union([z.literal(''), apiTime]).transform((v) => (v === '' ? undefined : v))),
    InvokeUser: maybe(z.string()),
  }),
});

/** Thrown by the decoders with the path and problem of each bad field. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(body)'} ${i.message}`)
    .join('; ');
  throw new ShapeError(problems);
}

export function decodeRegions(body: unknown): Region[] {
  return parse(regionsSchema, body).Regions.map((r) => ({
    regionId: r.RegionId,
    localName: r.LocalName,
    ...(r.RegionEndpoint ? { regionEndpoint: r.RegionEndpoint } : {}),
  }));
}

export function decodeInstances(body: unknown): Page<Instance> {
  const b = parse(instancesSchema, body);
  return pageOf(
    b,
    b.Instances.map((i) => ({
      instanceId: i.InstanceId,
      instanceName: i.InstanceName,
      regionId: i.RegionId,
      status: i.Status,
      businessStatus: i.BusinessStatus,
      planId: i.PlanId,
      planType: i.PlanType,
      chargeType: i.ChargeType,
      creationTime: i.CreationTime,
      expiredTime: i.ExpiredTime,
      imageId: i.ImageId,
      osType: i.Image?.OsType,
      publicIpAddress: i.PublicIpAddress,
      innerIpAddress: i.InnerIpAddress,
      resourceGroupId: i.ResourceGroupId,
      uuid: i.Uuid,
      tags: (i.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value ?? '' })),
    })),
  );
}

/**
 * One copy of each text that repeats on every record (statuses, command types and names): each parsed
 * page brings its own copies, and a crawl holding the state of a million records would hold millions of
 * equal strings. Bounded: past a few thousand distinct values, texts pass through as they are.
 */
const interned = new Map<string, string>();
function intern(text: string): string {
  const known = interned.get(text);
  if (known !== undefined) return known;
  const copy = own(text);
  if (interned.size < 10_000) interned.set(copy, copy);
  return copy;
}

/**
 * A copy of `text` that does not hold on to the text it was cut from. The JSON parser's strings are
 * slices of the whole response body (V8 shares the characters): keeping one invoke id of a page would keep
 * the page's 30 KB alive, and a crawl keeps every id of the instances it walks.
 */
function own(text: string): string {
  return ` ${text}`.slice(1);
}

export function decodeInvocations(body: unknown): Page<Invocation> {
  const b = parse(invocationsSchema, body);
  return pageOf(
    b,
    b.Invocations.map((i) => ({
      invokeId: own(i.InvokeId),
      creationTime: i.CreationTime,
      invocationStatus: intern(i.InvocationStatus),
      invokeStatus: intern(i.InvokeStatus),
      commandType: intern(i.CommandType),
      commandName: intern(i.CommandName),
      commandContent: i.CommandContent.text,
      ...(i.CommandContent.base64 === undefined ? {} : { commandContentBase64: i.CommandContent.base64 }),
      parameters: i.Parameters,
    })),
  );
}

export function decodeInvocationResult(body: unknown): InvocationResult {
  const r = parse(resultSchema, body).InvocationResult;
  const output = r.Output ?? { text: '' };
  return {
    invokeId: r.InvokeId,
    instanceId: r.InstanceId,
    invocationStatus: r.InvocationStatus,
    invokeRecordStatus: r.InvokeRecordStatus,
    exitCode: r.ExitCode,
    output: output.text,
    ...(output.base64 === undefined ? {} : { outputBase64: output.base64 }),
    errorCode: r.ErrorCode ?? '',
    errorInfo: r.ErrorInfo ?? '',
    startTime: r.StartTime,
    finishedTime: r.FinishedTime,
    invokeUser: r.InvokeUser ?? '',
  };
}

function pageOf<T>(
  b: { RequestId: string; TotalCount: number; PageNumber: number; PageSize: number },
  items: T[],
): Page<T> {
  return {
    items,
    totalCount: b.TotalCount,
    pageNumber: b.PageNumber,
    pageSize: b.PageSize,
    requestId: b.RequestId,
  };
}

/** A decoder from a response body to a typed value; throws {@link ShapeError}. */
export type DecodedShape<T> = (body: unknown) => T;
