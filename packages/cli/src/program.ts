import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context.js';
import { compactCommand } from './commands/compact.js';
import { crawlCommand } from './commands/crawl.js';
import { ddlCommand } from './commands/ddl.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { healthCommand } from './commands/health.js';
import { importCommand } from './commands/import.js';
import { planCommand } from './commands/plan.js';
import { queryCommand } from './commands/query.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { gapsCommand, runsCommand } from './commands/runs-and-gaps.js';
import { verifyCommand } from './commands/verify.js';
import { EXIT, exitStatusOf } from './exit-codes.js';
import { EXIT_HELP } from './help-text.js';
import { type CommandIo, processIo } from './io.js';
import { VERSION } from './version.js';

/**
 * The `swas-archive` program: every command with its flags, its output going to `ctx`, and errors thrown
 * (never `process.exit`). Tests read its commands and options to check that examples name only real ones.
 */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('swas-archive')
    .description(
      'Keeps the command history of Alibaba Cloud Simple Application Server fleets beyond two weeks, as Parquet.',
    )
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP);
  for (const command of [
    crawlCommand,
    runCommand,
    queryCommand,
    reportCommand,
    exportCommand,
    importCommand,
    verifyCommand,
    ddlCommand,
    compactCommand,
    healthCommand,
    planCommand,
    runsCommand,
    gapsCommand,
    demoCommand,
  ]) {
    // Settings a `.command()` child would inherit (output, exit override, help after errors).
    const child = command(ctx).copyInheritedSettings(program);
    // `report`'s own subcommands (one per report) inherit them in turn.
    for (const grandchild of child.commands) grandchild.copyInheritedSettings(child);
    program.addCommand(child);
  }
  return program;
}

/**
 * Runs the `swas-archive` command line and resolves with its exit status. Errors become one line on stderr
 * naming the problem and the fix; nothing but the command's result goes to stdout.
 */
export async function run(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let status: number = EXIT.ok;
  const program = buildProgram({
    ...io,
    exit: (s) => {
      status = s;
    },
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the problem; --help and --version end here too.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const code = exitStatusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`swas-archive: ${code === EXIT.unexpected ? 'unexpected error: ' : ''}${message}\n`);
    return code;
  }
}
