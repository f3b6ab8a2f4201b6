#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { relaunch, shouldRelaunch, watchLauncher } from './relaunch.js';

const argv = process.argv.slice(2);
if (shouldRelaunch(argv, process.env, process.execArgv)) {
  // A crawl runs in a child with a bounded heap (see relaunch.ts); this process only waits for it. The
  // script as the user named it (a link called swas-archive on the PATH), which the demo's hints repeat.
  process.exitCode = await relaunch(process.argv[1] ?? fileURLToPath(import.meta.url), argv);
} else {
  watchLauncher();
  // A reader that stops early (`| head`) closes stdout: the rest of the output has nowhere to go, but the
  // command still finishes (and cleans up) instead of dying on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  // The AWS SDK warns on every run that its releases after January 2027 need Node 22; the release this
  // program is built with runs on Node 20, so the warning only says something untrue of this program.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded here: the launching process above needs none of it.
  const { run } = await import('./program.js');
  process.exitCode = await run(argv);
}
