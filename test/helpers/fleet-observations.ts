import type { InvocationObservation } from '@swas-archive/archive';
import { type EmulatorOptions, startEmulator } from '@swas-archive/emulator';

/** The ground truth of a generated fleet, as observations made at `observedAt` (no results). */
export async function fleetObservations(
  options: EmulatorOptions,
  observedAt = new Date(),
): Promise<InvocationObservation[]> {
  const emu = await startEmulator({ ...options, clock: { speed: 0, ...options.clock } });
  try {
    return emu.admin.groundTruth().map((t) => ({
      account: 'bench-account',
      regionId: t.regionId,
      instanceId: t.instanceId,
      invokeId: t.invokeId,
      creationTime: new Date(t.creationTime),
      invocationStatus: t.invocationStatus,
      invokeStatus: t.invokeStatus,
      commandType: t.commandType,
      commandName: t.commandName,
      commandContent: t.commandContent,
      parameters: t.parameters,
      observedAt,
    }));
  } finally {
    await emu.close();
  }
}
