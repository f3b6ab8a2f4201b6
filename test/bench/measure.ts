import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readlinkSync } from 'node:fs';
import { CLI_BIN } from '../helpers/run-cli.js';

/** The environment the built CLI runs with in a bench: no credentials, no HOME. */
const ENV = {
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
};

/** Wall time of one whole `swas-archive …` process (Node start included), its output discarded; ms. */
export async function timeCli(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: ENV,
    stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`swas-archive ${args.join(' ')} exited ${code}: ${stderr}`);
  return ms;
}

/**
 * Peak RSS (bytes) of one whole `swas-archive …` process with its stdout on /dev/null, as GNU time's `%M`
 * (the kernel's maxrss of the process) says it; checks that stdout really was /dev/null while it ran.
 */
export async function peakRssOfCli(args: string[]): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, CLI_BIN, ...args], {
    env: ENV,
    stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  // The CLI's stdout is time's, inherited: where it points is where the CSV goes.
  const stdout = readlinkSync(`/proc/${child.pid}/fd/1`);
  if (stdout !== '/dev/null') throw new Error(`the export's stdout is ${stdout}, not /dev/null`);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`swas-archive ${args.join(' ')} exited ${code}: ${stderr}`);
  const kb = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
  if (!kb) throw new Error(`no maxrss in: ${stderr}`);
  return { bytes: kb * 1024, seconds: (performance.now() - started) / 1000 };
}

/** The median of `runs` timings of `fn` after one run that warms it up; ms. */
export async function warmMedian(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  return median(await timings(fn, runs));
}

/** `runs` timings of `fn`, in order; ms. */
export async function timings(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(value * 10) / 10;
}
