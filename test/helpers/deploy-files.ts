import { Writable } from 'node:stream';
import { buildProgram } from '@swas-archive/cli';

type Command = ReturnType<typeof buildProgram>;

/** Five crontab time fields (minute, hour, day of month, month, day of week), each a list of `*`, `N`, `A-B`, with `/S`. */
export function cronFieldsValid(fields: readonly string[]): boolean {
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  if (fields.length !== 5) return false;
  return fields.every((field, i) => {
    const [min, max] = ranges[i] as [number, number];
    return field.split(',').every((part) => {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return false;
      const nums = [m[2], m[3]].filter((n) => n !== undefined).map(Number);
      const step = m[4] === undefined ? 1 : Number(m[4]);
      return (
        step >= 1 &&
        nums.every((n) => n >= min && n <= max) &&
        (nums.length < 2 || (nums[0] as number) <= (nums[1] as number))
      );
    });
  });
}

/**
 * The `swas-archive` invocations in a shell command line, each as its arguments: the line is cut at `;`, `&&`,
 * `||`, `|`, `$(` and `)`; a piece whose first word is `swas-archive` (or a path ending so) is one, up to a
 * redirection. Quotes are not interpreted (the examples use none inside these commands).
 */
export function swasArchiveCalls(line: string): string[][] {
  const pieces = line.replace(/\$\(|\)|&&|\|\||[;|]/g, '\n').split('\n');
  const calls: string[][] = [];
  for (const piece of pieces) {
    const words = piece.trim().split(/\s+/).filter(Boolean);
    const first = words[0];
    if (first !== 'swas-archive' && !first?.endsWith('/swas-archive')) continue;
    const redirect = words.findIndex((w) => /^\d?>/.test(w));
    calls.push(words.slice(1, redirect === -1 ? undefined : redirect));
  }
  return calls;
}

/** Sections of a systemd unit file: `[Section]` → key → values (a key may repeat, as ExecStart does). */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1] as string, current);
      continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!entry || !current)
      throw new Error(`line ${i + 1} is neither a section, a Key=value, nor a comment: ${raw}`);
    const [, key, value] = entry as unknown as [string, string, string];
    current.set(key, [...(current.get(key) ?? []), value]);
  }
  return sections;
}

/** Instructions of a Dockerfile (continuation lines joined, comments dropped): `[INSTRUCTION, rest]`. */
export function parseDockerfile(text: string): [string, string][] {
  const joined = text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^([A-Z]+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`not a Dockerfile instruction: ${l}`);
      return [m[1] as string, (m[2] as string).replace(/\s+/g, ' ')];
    });
}

/**
 * Checks `args` against the real `swas-archive` program: the command path must exist and every flag must be one
 * of the command's, with a value its parser accepts. Returns the problems (empty when all holds); nothing runs.
 */
export function checkArgs(args: readonly string[]): string[] {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  let command: Command = buildProgram({ stdout: sink, stderr: sink, env: {}, exit: () => {} });
  const path: string[] = [];
  let rest = [...args];
  for (;;) {
    const next = command.commands.find((c) => c.name() === rest[0]);
    if (!next) break;
    command = next;
    path.push(rest[0] as string);
    rest = rest.slice(1);
  }
  if (path.length === 0) return [`"${args.join(' ')}": no swas-archive command`];
  // A command with subcommands and no action of its own (`run`, `report`) is not a command line by itself;
  // commander keeps the action private.
  if (command.commands.length > 0 && !(command as unknown as { _actionHandler?: unknown })._actionHandler)
    return [`"${args.join(' ')}": ${path.join(' ')} needs a subcommand`];
  try {
    const { unknown } = command.parseOptions(rest);
    return unknown.length > 0 ? [`swas-archive ${path.join(' ')}: no such option ${unknown.join(' ')}`] : [];
  } catch (error) {
    return [`swas-archive ${path.join(' ')}: ${(error as Error).message}`];
  }
}
