export { EXIT, exitStatusOf } from './exit-codes.js';
export type { CommandIo } from './io.js';
export { run } from './program.js';
