import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context.js';
import { EXIT, exitStatusOf } from './exit-codes.js';
import { EXIT_HELP } from './help-text.js';
import { type CommandIo, processIo } from './io.js';

/** Each command's module, loaded only when needed: a command's dependencies are most of the start-up time. */
const COMMANDS: Record<string, () => Promise<(ctx: CommandContext) => Command>> = {
  crawl: async () => (await import('./commands/crawl.js')).crawlCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  query: async () => (await import('./commands/query.js')).queryCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  compact: async () => (await import('./commands/compact.js')).compactCommand,
  health: async () => (await import('./commands/health.js')).healthCommand,
  runs: async () => (await import('./commands/runs-and-gaps.js')).runsCommand,
  gaps: async () => (await import('./commands/runs-and-gaps.js')).gapsCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
};

/**
 * Runs the `swas-archive` command line and resolves with its exit status. Errors become one line on stderr
 * naming the problem and the fix; nothing but the command's result goes to stdout.
 */
export async function run(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let status: number = EXIT.ok;
  const ctx: CommandContext = {
    ...io,
    exit: (s) => {
      status = s;
    },
  };
  const program = new Command('swas-archive')
    .description(
      'Keeps the command history of Alibaba Cloud Simple Application Server fleets beyond two weeks, as Parquet.',
    )
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP);
  // A command named first loads alone (`report` loads neither the crawler, nor the client, nor the
  // emulator); anything else (help, a version, a mistyped command) loads them all, to list them.
  const named = COMMANDS[argv[0] ?? ''];
  const loaders = named ? [named] : Object.values(COMMANDS);
  for (const command of await Promise.all(loaders.map((load) => load()))) {
    // Settings a `.command()` child would inherit (output, exit override, help after errors).
    const child = command(ctx).copyInheritedSettings(program);
    // `report`'s own subcommands (one per report) inherit them in turn.
    for (const grandchild of child.commands) grandchild.copyInheritedSettings(child);
    program.addCommand(child);
  }

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
