import { readFile, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, totalmem } from 'node:os';

/** One measured figure. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The goal, when the issue set one, and whether higher or lower is better. */
  goal?: { value: number; better: 'higher' | 'lower' };
  note?: string;
}

export interface BenchResult {
  bench: string;
  figures: Figure[];
}

const JSON_PATH = new URL('./results.json', import.meta.url);
const MD_PATH = new URL('./RESULTS.md', import.meta.url);

export interface Stored {
  [bench: string]: { machine: string; date: string; node: string; load?: string; figures: Figure[] };
}

/** Records a bench's figures (replacing its previous run) in results.json and RESULTS.md. */
export async function record(result: BenchResult): Promise<void> {
  let stored: Stored = {};
  try {
    stored = JSON.parse(await readFile(JSON_PATH, 'utf8')) as Stored;
  } catch (error) {
    // First run: start a new file.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  stored[result.bench] = {
    machine: `${hostname()} (${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB)`,
    date: new Date().toISOString(),
    node: process.version,
    // The machine may be shared with other work while a bench runs: its load says how much.
    load: loadavg()
      .map((l) => l.toFixed(1))
      .join(', '),
    figures: result.figures,
  };
  await writeFile(JSON_PATH, `${JSON.stringify(stored, null, 2)}\n`);
  await writeFile(MD_PATH, render(stored));
}

export function render(stored: Stored): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (see `test/bench/`). Each section is the latest run of one bench. The',
    "machine was shared with other work (builds and tests of other branches) while they ran; each section's",
    'load averages (1, 5 and 15 minutes, as the bench ended) say how busy it was: timings are upper bounds.',
    '',
  ];
  for (const [bench, run] of Object.entries(stored).sort(([a], [b]) => a.localeCompare(b))) {
    const load = run.load ? `, load averages ${run.load}` : '';
    lines.push(`## ${bench}`, '', `${run.date} on ${run.machine}, Node ${run.node}${load}`, '');
    lines.push('| figure | value | goal | met |', '|---|---|---|---|');
    for (const f of run.figures) {
      const goal = f.goal ? `${f.goal.better === 'higher' ? '≥' : '≤'} ${fmt(f.goal.value)} ${f.unit}` : '';
      const met = f.goal
        ? (f.goal.better === 'higher' ? f.value >= f.goal.value : f.value <= f.goal.value)
          ? 'yes'
          : '**no**'
        : '';
      lines.push(
        `| ${f.name}${f.note ? ` (${f.note})` : ''} | ${fmt(f.value)} ${f.unit} | ${goal} | ${met} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

const fmt = (n: number) =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
