import { archiveIngest } from './archive-ingest.bench.js';
import { archiveLayout } from './archive-layout.bench.js';
import { archiveSize } from './archive-size.bench.js';
import { budgetSim } from './budget-sim.bench.js';
import { crawlMemory } from './crawl-memory.bench.js';
import { crawlerAdaptive } from './crawler-adaptive.bench.js';
import { crawlerBudget } from './crawler-budget.bench.js';
import { crawlerIncremental } from './crawler-incremental.bench.js';
import { crawlerOverhead } from './crawler-overhead.bench.js';
import { emulatorThroughput } from './emulator-throughput.bench.js';
import { exportFormats } from './export.bench.js';
import { importDumps } from './import.bench.js';
import { objectStoreQuery } from './object-store-query.bench.js';
import { queryExport } from './query-export.bench.js';
import { readSide } from './read-side.bench.js';
import { type BenchResult, record } from './results.js';

/** Every bench, by name. `pnpm bench [name …]` runs the named ones, or all. */
const BENCHES: Record<string, () => Promise<BenchResult>> = {
  'emulator-throughput': emulatorThroughput,
  'archive-ingest': archiveIngest,
  'archive-size': archiveSize,
  'archive-layout': archiveLayout,
  'crawler-incremental': crawlerIncremental,
  'crawler-overhead': crawlerOverhead,
  'crawl-memory': crawlMemory,
  'crawler-budget': crawlerBudget,
  'crawler-adaptive': crawlerAdaptive,
  'query-export': queryExport,
  'read-side': readSide,
  'object-store-query': objectStoreQuery,
  import: importDumps,
  export: exportFormats,
  'budget-sim': budgetSim,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown bench ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}\n`,
  );
  process.exit(2);
}
// A bench that fails does not stop the others: its error is printed, and the run exits 1 at the end.
const failed: string[] = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
  const started = performance.now();
  process.stderr.write(`bench ${name} …\n`);
  try {
    const result = await (BENCHES[name] as () => Promise<BenchResult>)();
    for (const f of result.figures) process.stderr.write(`  ${f.name}: ${f.value} ${f.unit}\n`);
    await record(result);
  } catch (error) {
    failed.push(name);
    process.stderr.write(
      `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
  }
  process.stderr.write(`  (${name}: ${Math.round((performance.now() - started) / 1000)} s)\n`);
}
process.stderr.write('figures written to test/bench/RESULTS.md\n');
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
