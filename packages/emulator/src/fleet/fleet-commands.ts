import { Random } from '../random.js';
import { type CommandTemplate, LINUX_COMMANDS, WINDOWS_COMMANDS } from './catalog.js';
import type { CommandVariant } from './records.js';

/** The command variants a fleet runs, per OS family. */
export interface FleetCommands {
  Linux: CommandVariant[];
  Windows: CommandVariant[];
}

/** The commands of the fleet generated from `seed`: the same for the same seed. */
export function fleetCommands(seed: number): FleetCommands {
  const random = Random.derive(seed, 'commands');
  return { Linux: commandVariants(random, 'Linux'), Windows: commandVariants(random, 'Windows') };
}

/** Every command variant of one OS family: each template with a few combinations of parameter values. */
function commandVariants(random: Random, os: 'Linux' | 'Windows'): CommandVariant[] {
  const templates = os === 'Linux' ? LINUX_COMMANDS : WINDOWS_COMMANDS;
  return templates.flatMap((t) => {
    const combos = t.parameters ? 3 : 1;
    return Array.from({ length: combos }, () => variantOf(t, pickParameters(random, t)));
  });
}

function pickParameters(random: Random, t: CommandTemplate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(t.parameters ?? {})) out[name] = random.pick(values);
  return out;
}

/** A concrete command: the template's text with `{{name}}` replaced by the parameter values. */
export function variantOf(t: CommandTemplate, parameters: Record<string, string>): CommandVariant {
  const content = t.content.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => parameters[name] ?? whole);
  return {
    name: t.name,
    type: t.type,
    content,
    contentBase64: Buffer.from(content, 'utf8').toString('base64'),
    parameters,
    failureRate: t.failureRate,
    meanSeconds: t.meanSeconds,
    timeoutSeconds: t.timeoutSeconds,
  };
}
