import { describe } from './classify-error.js';
import { type CredentialsOptions, resolveCredentials } from './credentials.js';
import {
  type DecodedShape,
  decodeInstances,
  decodeInvocationResult,
  decodeInvocations,
  decodeRegions,
  ShapeError,
} from './decode.js';
import { BadResponseError, ConfigurationError, SwasApiError, type SwasErrorContext } from './errors.js';
import { Redactor } from './redactor.js';
import { PopTransport } from './transport.js';
import type {
  DescribeInvocationResultQuery,
  DescribeInvocationsQuery,
  ListInstancesQuery,
  SwasApi,
} from './types.js';

/** One finished API call, for counting, progress and logs. Holds no secret. */
export interface CallEvent {
  action: string;
  regionId?: string;
  instanceId?: string;
  durationMs: number;
  /** `ok`, or the error code. */
  outcome: string;
  requestId?: string;
}

/** Options of {@link createSwasClient}. */
export interface SwasClientOptions extends CredentialsOptions {
  /**
   * One endpoint for every region (`http://127.0.0.1:8080` for the emulator, a private endpoint).
   * Without it, each region's `RegionEndpoint` from `ListRegions`, else `https://swas.<region>.aliyuncs.com`.
   */
  endpoint?: string;
  /**
   * Time allowed for one call, connection and whole body, in milliseconds. A page of 50 invocations with
   * large scripts is close to a megabyte: the default leaves room for that on a slow link, where
   * pop-core's own 3000 ms would fail it.
   * @default 20000
   */
  timeoutMs?: number;
  /**
   * Region whose endpoint answers `ListRegions`.
   * @default 'cn-hangzhou'
   */
  defaultRegionId?: string;
  /** Called after every call, successful or not. */
  onCall?: (event: CallEvent) => void;
}

/** A SWAS client: the four actions of {@link SwasApi}, typed and checked. */
export type SwasClient = SwasApi;

/** Creates a client. No request is made until a method is called. */
export function createSwasClient(options: SwasClientOptions = {}): SwasClient {
  const timeoutMs = options.timeoutMs ?? 20_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError(`Expected \`timeoutMs\` to be a number > 0, got ${options.timeoutMs}`, {
      serverCode: 'InvalidOptions',
      action: 'configure',
    });
  }
  if (options.endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(options.endpoint)) {
    throw new ConfigurationError(
      `Expected \`endpoint\` to be http(s)://host[:port], got "${options.endpoint}"`,
      { serverCode: 'InvalidOptions', action: 'configure' },
    );
  }
  const redactor = new Redactor();
  const credentials = resolveCredentials(options, redactor);
  const transport = new PopTransport(credentials, redactor, timeoutMs);
  const regionEndpoints = new Map<string, string>();
  const defaultRegion = options.defaultRegionId ?? 'cn-hangzhou';

  const endpointFor = (regionId: string): string => {
    if (options.endpoint) return options.endpoint.replace(/\/$/, '');
    const known = regionEndpoints.get(regionId);
    if (known) return /^https?:\/\//.test(known) ? known : `https://${known}`;
    return `https://swas.${regionId}.aliyuncs.com`;
  };

  async function call<T>(
    action: string,
    ctx: SwasErrorContext,
    params: Record<string, string | number | undefined>,
    decode: DecodedShape<T>,
  ): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    let requestId: string | undefined;
    try {
      const { body, httpStatus } = await transport.call(
        endpointFor(ctx.regionId ?? defaultRegion),
        action,
        params,
        ctx,
      );
      requestId = (body as { RequestId?: string } | null)?.RequestId;
      try {
        return decode(body);
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        throw new BadResponseError(
          `${describe(ctx)} returned an answer without the documented shape: ${redactor.scrub(error.message)}.`,
          {
            ...ctx,
            serverCode: 'BadResponse',
            httpStatus,
            requestId,
          },
        );
      }
    } catch (error) {
      outcome = error instanceof SwasApiError ? error.serverCode : 'Error';
      if (error instanceof SwasApiError) requestId = error.requestId ?? requestId;
      throw error;
    } finally {
      options.onCall?.({ ...ctx, durationMs: performance.now() - started, outcome, requestId });
    }
  }

  return {
    async listRegions() {
      const regions = await call('ListRegions', { action: 'ListRegions' }, {}, decodeRegions);
      for (const r of regions) if (r.regionEndpoint) regionEndpoints.set(r.regionId, r.regionEndpoint);
      return regions;
    },

    listInstances(q: ListInstancesQuery) {
      checkPaging('listInstances', q.pageNumber, q.pageSize, 100);
      const params: Record<string, string | number | undefined> = {
        RegionId: q.regionId,
        PageNumber: q.pageNumber,
        PageSize: q.pageSize,
        InstanceIds: q.instanceIds ? JSON.stringify(q.instanceIds) : undefined,
        Status: q.status,
        ChargeType: q.chargeType,
        PlanType: q.planType,
        InstanceName: q.instanceName,
        ResourceGroupId: q.resourceGroupId,
      };
      q.tags?.forEach((t, i) => {
        params[`Tag.${i + 1}.Key`] = t.key;
        params[`Tag.${i + 1}.Value`] = t.value;
      });
      return call(
        'ListInstances',
        { action: 'ListInstances', regionId: q.regionId },
        params,
        decodeInstances,
      );
    },

    describeInvocations(q: DescribeInvocationsQuery) {
      checkPaging('describeInvocations', q.pageNumber, q.pageSize, 50);
      return call(
        'DescribeInvocations',
        { action: 'DescribeInvocations', regionId: q.regionId, instanceId: q.instanceId },
        {
          RegionId: q.regionId,
          InstanceId: q.instanceId,
          PageNumber: q.pageNumber,
          PageSize: q.pageSize,
          InvokeStatus: q.invokeStatus,
        },
        decodeInvocations,
      );
    },

    describeInvocationResult(q: DescribeInvocationResultQuery) {
      return call(
        'DescribeInvocationResult',
        { action: 'DescribeInvocationResult', regionId: q.regionId, instanceId: q.instanceId },
        { RegionId: q.regionId, InstanceId: q.instanceId, InvokeId: q.invokeId },
        decodeInvocationResult,
      );
    },
  };
}

function checkPaging(
  method: string,
  pageNumber: number | undefined,
  pageSize: number | undefined,
  max: number,
): void {
  if (pageNumber !== undefined && (!Number.isInteger(pageNumber) || pageNumber < 1)) {
    throw new ConfigurationError(`${method}: pageNumber must be an integer >= 1, got ${pageNumber}`, {
      serverCode: 'InvalidOptions',
      action: method,
    });
  }
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max)) {
    throw new ConfigurationError(`${method}: pageSize must be an integer from 1 to ${max}, got ${pageSize}`, {
      serverCode: 'InvalidOptions',
      action: method,
    });
  }
}
