import type { ActionHandler } from './action-context.js';
import { describeInvocationResult, describeInvocations, runCommand } from './invocations.js';
import { listInstances, listRegions } from './regions-and-instances.js';

/** Every action the emulator answers. */
export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ListRegions: listRegions,
  ListInstances: listInstances,
  DescribeInvocations: describeInvocations,
  DescribeInvocationResult: describeInvocationResult,
  RunCommand: runCommand,
};
