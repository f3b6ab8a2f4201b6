import { EXIT } from './exit-codes.js';

/** The exit statuses, one per line, each under 80 columns (the end of `swas-archive --help`). */
export const EXIT_HELP = `
Exit status:
  ${EXIT.ok}    complete
  ${EXIT.unexpected}    unexpected error (a bug; the message says what failed)
  ${EXIT.usage}    usage or configuration: a bad flag or path, no credentials, bad SQL
  ${EXIT.auth}    authentication or permission: wrong secret, missing RAM permission
  ${EXIT.partial}    partial: an instance could not be archived, or a new gap was found
  ${EXIT.locked}    another run holds the archive's writer lock
  ${EXIT.damaged}    the archive is damaged: verify named missing or altered files
  ${EXIT.unreachable}    the service could not be reached, or kept failing, after every retry
  ${EXIT.unhealthy}    health: archival is not keeping up (the reason is on one line)
  ${EXIT.interrupted}  interrupted (Ctrl-C); ${EXIT.terminated} stopped by SIGTERM: what was read is kept`;

/** An "Examples:" block for a command's help. */
export function examples(...lines: [command: string, what: string][]): string {
  return `\nExamples:\n${lines.map(([command, what]) => `  # ${what}\n  ${command}`).join('\n')}`;
}
