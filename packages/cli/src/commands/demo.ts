import { setTimeout as sleep } from 'node:timers/promises';
import { type ArchiveJobOptions, archiveJob } from '@swas-archive/pipelines';
import { QuerySession } from '@swas-archive/query';
import Table from 'cli-table3';
import { Command } from 'commander';
import type { CommandContext } from '../command-context.js';
import { prepareDemoFolder, removeDemoFolder } from '../demo-folder.js';
import { examples } from '../help-text.js';
import type { CommandIo } from '../io.js';
import { positiveInt, userPath } from '../parse-flags.js';
import { selfCommand, shellQuote } from '../self-command.js';
import { writeHtmlReport } from './report-html.js';

const DAY = 86_400_000;
/** Commands shown in the demo's failure table. */
const TABLE_ROWS = 8;

/** The flags of `demo`. */
interface DemoFlags {
  data: string;
  seed: number;
  keep: boolean;
}

/** `swas-archive demo`: its flags and its handler. */
export function demoCommand(ctx: CommandContext): Command {
  return new Command('demo')
    .description(
      'run the whole job against the built-in emulator: archive a fleet, let a day pass, archive again, query',
    )
    .option('--data <dir>', 'where the demo archive goes', 'data/demo')
    .option('--seed <n>', 'seed of the emulated fleet', positiveInt('--seed'), 42)
    .option('--no-keep', 'remove the demo archive afterwards')
    .addHelpText(
      'after',
      `
Writes an archive in --data, marked as the demo's by a file .swas-archive-demo.
Removes only what a previous demo wrote there: it refuses a folder that is not
a demo archive (exit 2) and one that a run is using (exit 5). With --no-keep it
also removes what this demo wrote, once it is done.
${examples(['swas-archive demo', 'the whole job on an emulated fleet'], ['swas-archive demo --data /tmp/swas-demo --seed 7 --no-keep', 'another fleet, removed afterwards'])}`,
    )
    .action(async (flags: DemoFlags) => {
      ctx.exit(await runDemo(flags, ctx));
    });
}

/**
 * The whole job against the built-in emulator, no cloud account needed: starts an emulated fleet, archives
 * it, lets a day of new commands pass, archives again (incrementally), and shows what the archive answers.
 */
async function runDemo(flags: DemoFlags, io: CommandIo): Promise<number> {
  const root = userPath(flags.data, io.env);
  // Loaded here, not at the top: no other command needs the emulator.
  const { startEmulator } = await import('@swas-archive/emulator');
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const folder = await prepareDemoFolder(root);
  const emu = await startEmulator({
    seed: flags.seed,
    // A day behind the machine: after the day the demo lets pass, the fleet's clock is the machine's, so
    // reports, `health` and exports over "now" see every record the demo made.
    clock: { start: new Date(Date.now() - DAY).toISOString(), speed: 0 },
    fleet: { regions: 3, instancesPerRegion: 4, invocations: 6000 },
    live: { invocationsPerMinute: 2 },
  });
  try {
    const key = emu.credentials[0] as { accessKeyId: string; accessKeySecret: string };
    say(`emulator: ${emu.endpoint}, 3 regions, 12 instances, 6,000 invocations over the last 14 days`);
    // Commands started just now are still running at the first crawl: the day that passes finishes them.
    const started = emu.admin
      .instances()
      .slice(0, 3)
      .map((i, n) =>
        emu.admin.runCommand(i.instanceId, {
          name: 'demo-upgrade',
          type: 'RunShellScript',
          content: n === 2 ? 'yum -y upgrade; exit 1' : 'yum -y upgrade',
          timeoutSeconds: 600,
        }),
      );
    say(`started ${started.length} commands that are still running when the first crawl reads them`);
    const crawlOnce = async (label: string): Promise<void> => {
      const { report } = await archiveJob({
        root,
        endpoint: emu.endpoint,
        accounts: [{ name: 'demo', credentials: key }],
        clock: clockFrom(emu.admin.now()),
      });
      if (report.error) throw report.error;
      const calls = Object.values(report.callsByAction).reduce((s, n) => s + n, 0);
      say(
        `${label}: ${report.outcome}, ${report.recordsNew} new and ${report.recordsChanged} changed invocations archived with ${calls} API calls`,
      );
    };
    await crawlOnce('first crawl (every page of every instance)');
    emu.admin.advance(DAY);
    say(`… a day passes on the emulator: new commands run, and the ${started.length} running ones finish …`);
    await crawlOnce('second crawl (only what can be new)');
    for (const line of await failureTable(root)) say(line);
    say(`report: ${await demoReport(root, emu.admin.now())} (charts, top failing, coverage; opens offline)`);
    say(`archive: ${root}${flags.keep ? '' : ' (removed now: --no-keep)'}`);
    if (flags.keep)
      say(`try: ${selfCommand(io.env)} query --data ${shellQuote(root)} "SELECT * FROM invocations LIMIT 5"`);
    return 0;
  } finally {
    await emu.close();
    if (!flags.keep) await removeDemoFolder(folder);
  }
}

/**
 * The crawl's clock, running from the emulator's time: the day the demo lets pass in a moment is a day to
 * the crawler too (arrival rates, record lifetimes and `health` read it so), not a few seconds.
 */
function clockFrom(virtualNow: number): NonNullable<ArchiveJobOptions['clock']> {
  const offset = virtualNow - Date.now();
  return {
    now: () => Date.now() + offset,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  };
}

/**
 * Writes the HTML report of the fleet's two weeks beside the archive (`<data>-report.html`: not inside it,
 * where `verify` would take it for a stray file) and returns its path. It stays after `--no-keep`.
 */
async function demoReport(root: string, virtualNow: number): Promise<string> {
  const out = `${root.replace(/\/+$/, '')}-report.html`;
  const session = await QuerySession.open(root);
  try {
    // The period ends at the emulator's time (the machine's, give or take the demo's own seconds).
    await writeHtmlReport(
      session,
      { since: new Date(virtualNow - 15 * DAY), until: new Date(virtualNow + 60_000) },
      out,
    );
  } finally {
    session.close();
  }
  return out;
}

/** The failure rate by command, from the archive: the most failing first, saying how many are left out. */
async function failureTable(root: string): Promise<string[]> {
  const session = await QuerySession.open(root);
  try {
    const { rows } = await session.run(`SELECT command_name AS command, count(*) AS runs,
        round(100.0 * count(*) FILTER (WHERE invoke_status = 'Failed') / count(*), 1) AS failed_pct
      FROM invocations WHERE invoke_status <> 'Running' GROUP BY 1 ORDER BY failed_pct DESC, runs DESC`);
    const shown = rows.slice(0, TABLE_ROWS);
    const table = new Table({ head: ['command', 'runs', 'failed %'], style: { head: [], border: [] } });
    for (const r of shown)
      table.push([String(r.command || '(unnamed)'), String(r.runs), String(r.failed_pct)]);
    const which =
      shown.length === rows.length
        ? `all ${rows.length} commands`
        : `the ${shown.length} most failing of ${rows.length} commands`;
    return [`failure rate by command, from the archive (${which}):`, table.toString()];
  } finally {
    session.close();
  }
}
