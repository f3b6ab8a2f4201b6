import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { RunningEmulator } from '@swas-archive/emulator';

/** The built `swas-archive` bin (`pnpm test` builds first), run as a user runs it. */
export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

/** What one run of the CLI printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Puts the emulator's first key in the environment. */
  emu?: RunningEmulator;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called once the child started, e.g. to signal it. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** The command to run instead of `node <bin>` (e.g. `swas-archive` found on a PATH). */
  command?: string[];
  /** Runs the child as this user (the test runner must be root to switch). */
  uid?: number;
}

/** Runs the built CLI with a clean environment (no credentials unless given, HOME nowhere). */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const key = options.emu?.credentials[0];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: '/nonexistent',
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  };
  if (key) {
    env.ALIBABA_CLOUD_ACCESS_KEY_ID = key.accessKeyId;
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = key.accessKeySecret;
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const [cmd, ...pre] = options.command ?? [process.execPath, CLI_BIN];
  const child = spawn(cmd as string, [...pre, ...args], {
    env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/**
 * Runs the CLI in this process through `run(argv, io)`, with its own output streams and a clean
 * environment (HOME nowhere, no credentials): the same program as the bin without spawning Node, for
 * checks that are about what a command does rather than how the process ends.
 */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Omit<CliResult, 'signal'>> {
  const { run } = await import('@swas-archive/cli');
  const { PassThrough } = await import('node:stream');
  const collect = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    return { stream, text: () => Buffer.concat(chunks).toString() };
  };
  const out = collect();
  const err = collect();
  const code = await run(args, {
    stdout: out.stream,
    stderr: err.stream,
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
  });
  // What the streams hold reaches their listeners within a turn.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}
