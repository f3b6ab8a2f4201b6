import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';

/** An emulator running in a child process (its own core), as users run it with `swas-emulator`. */
export interface EmulatorProcess {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  admin?: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built `swas-emulator` bin with `args` and waits for its JSON line. */
export async function spawnEmulator(args: readonly string[]): Promise<EmulatorProcess> {
  const require = createRequire(import.meta.url);
  const bin = require.resolve('@swas-archive/emulator/package.json').replace(/package\.json$/, 'dist/bin.js');
  const child = spawn(
    process.execPath,
    [...(process.env.SWAS_EMULATOR_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), bin, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [chunk] = (await Promise.race([
    once(child.stdout as NodeJS.ReadableStream, 'data'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`swas-emulator exited with ${code} before listening`);
    }),
  ])) as [Buffer];
  const info = JSON.parse(chunk.toString('utf8').trim()) as Omit<EmulatorProcess, 'child' | 'stop'>;
  return {
    ...info,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
