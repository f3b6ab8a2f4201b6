export { EXIT, exitStatusOf } from './exit-codes.js';
export type { CommandIo } from './io.js';
export { buildProgram, run } from './program.js';
