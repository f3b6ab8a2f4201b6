import type { CommandIo } from './io.js';

/** What every command gets: where to write, the environment, and how to set the exit status. */
export interface CommandContext extends CommandIo {
  /** Sets the exit status the command line ends with. */
  exit(status: number): void;
}
