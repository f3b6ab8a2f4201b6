export { EXIT, exitCodeFor } from './exit-codes.js';
export type { CommandIo } from './io.js';
export { run } from './program.js';
