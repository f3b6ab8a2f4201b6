#!/usr/bin/env node
import { run } from './program.js';

// A reader that stops early (`| head`) closes stdout: the rest of the output has nowhere to go, but the
// command still finishes (and cleans up) instead of dying on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await run(process.argv.slice(2));
