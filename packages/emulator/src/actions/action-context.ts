import type { FleetStore } from '../fleet/fleet-store.js';
import type { Params } from './params.js';

/** Everything an action handler may read. */
export interface ActionContext {
  params: Params;
  store: FleetStore;
  /** Virtual time of the request. */
  now: number;
  order: 'newest-first' | 'oldest-first';
  regionEndpoint: (regionId: string) => string;
}

/** Answers one API action with its response body (without `RequestId`). */
export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;
