import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ExportUsageError } from '../errors.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportManifest,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  type ManifestSignature,
  manifestHash,
} from './export-manifest.js';
import { countRows, sha256OfFile } from './file-rows.js';
import { checkSignature, type ManifestKey } from './manifest-signature.js';

/** What {@link verifyExport} found. `ok` only when nothing is missing, altered, extra or wrongly signed. */
export interface ExportVerifyReport {
  ok: boolean;
  /** The export folder, absolute. */
  folder: string;
  /**
   * `ok`; `missing` (no manifest.json); `unreadable` (not JSON, or not an export manifest); `edited` (its
   * `manifestSha256` does not match its content, or its totals contradict its files).
   */
  manifest: 'ok' | 'missing' | 'unreadable' | 'edited';
  /**
   * `valid` / `invalid` with the key given; `unsigned` (no signature: a failure only when a key was given);
   * `not-checked` (signed, no key given).
   */
  signature: 'valid' | 'invalid' | 'unsigned' | 'not-checked';
  /** Data files the manifest lists, and their rows as the manifest says. */
  files: number;
  rows: number;
  /** Listed files that are not there. */
  missing: string[];
  /** Listed files whose size, checksum or rows differ from the manifest, or that cannot be read. */
  altered: { path: string; reason: string }[];
  /** Files in the folder that the manifest does not list. */
  extra: string[];
  /** Every problem, one line each, for people. */
  problems: string[];
  /** What the manifest says of the period's coverage (when it could be read). */
  coverageComplete?: boolean;
}

/**
 * Checks an export folder with the files alone (no archive, no DuckDB): the manifest's own hash, its
 * signature when a key is given, and every data file's size, SHA-256 and row count (recounted from the file
 * as its format defines rows); and names every file the manifest does not list.
 */
export async function verifyExport(
  folder: string,
  options: { key?: ManifestKey } = {},
): Promise<ExportVerifyReport> {
  const dir = resolve(folder);
  const report: ExportVerifyReport = {
    ok: false,
    folder: dir,
    manifest: 'ok',
    signature: 'unsigned',
    files: 0,
    rows: 0,
    missing: [],
    altered: [],
    extra: [],
    problems: [],
  };
  // Checked first: a recursive readdir of a missing folder may answer "empty" instead of failing.
  const isFolder = await stat(dir).then(
    (s) => s.isDirectory(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
      throw error;
    },
  );
  if (!isFolder)
    throw new ExportUsageError(`no export folder at ${dir}: give the folder an export wrote`, 'dir');
  const present = await listFiles(dir);
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    report.manifest = 'missing';
    report.problems.push(`missing ${MANIFEST_FILE}: nothing can be checked without it`);
    report.extra = [...present].sort();
    report.problems.push(...report.extra.map((p) => `extra ${p}`));
    return report;
  }
  present.delete(MANIFEST_FILE);
  const manifest = parseManifest(text);
  if (typeof manifest === 'string') {
    report.manifest = 'unreadable';
    report.problems.push(`unreadable ${MANIFEST_FILE}: ${manifest}`);
    return report;
  }
  report.coverageComplete = manifest.coverage?.complete;
  const raw = manifest as unknown as Record<string, unknown>;
  if (manifestHash(raw) !== manifest.manifestSha256) {
    report.manifest = 'edited';
    report.problems.push(
      `edited ${MANIFEST_FILE}: its content does not match its manifestSha256 (changed after the export was made)`,
    );
  }
  const listedRows = manifest.files.reduce((s, f) => s + f.rows, 0);
  if (listedRows !== manifest.totalRows) {
    report.manifest = 'edited';
    report.problems.push(
      `edited ${MANIFEST_FILE}: totalRows ${manifest.totalRows} is not the sum of its files' rows (${listedRows})`,
    );
  }
  checkSigned(report, raw, manifest.signature, options.key);
  report.files = manifest.files.length;
  report.rows = listedRows;
  for (const f of manifest.files) {
    present.delete(f.path);
    const problem = await checkFile(dir, f, manifest.fileFormat);
    if (problem === 'missing') {
      report.missing.push(f.path);
      report.problems.push(`missing ${f.path}`);
    } else if (problem) {
      report.altered.push({ path: f.path, reason: problem });
      report.problems.push(`altered ${f.path}: ${problem}`);
    }
  }
  report.extra = [...present].sort();
  report.problems.push(...report.extra.map((p) => `extra ${p}: not in the manifest`));
  report.ok = report.problems.length === 0;
  return report;
}

function checkSigned(
  report: ExportVerifyReport,
  manifest: Record<string, unknown>,
  signature: ManifestSignature | undefined,
  key: ManifestKey | undefined,
): void {
  if (!signature) {
    report.signature = 'unsigned';
    if (key) report.problems.push('unsigned: a key was given, but the manifest carries no signature');
    return;
  }
  if (!key) {
    report.signature = 'not-checked';
    return;
  }
  const check = checkSignature(manifest, signature, key);
  report.signature = check.valid ? 'valid' : 'invalid';
  if (!check.valid) report.problems.push(`signature invalid: ${check.reason}`);
}

/** A listed file's problem: `missing`, a reason, or undefined when it is as the manifest says. */
async function checkFile(
  dir: string,
  f: { path: string; rows: number; bytes: number; sha256: string },
  format: ExportFormat,
): Promise<string | undefined> {
  const full = resolve(dir, f.path);
  const rel = relative(dir, full);
  if (isAbsolute(f.path) || rel.startsWith('..') || rel === '')
    return 'the manifest names a path outside the folder';
  let actual: { bytes: number; sha256: string };
  try {
    actual = await sha256OfFile(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    throw error;
  }
  if (actual.bytes !== f.bytes) return `${actual.bytes} bytes, the manifest says ${f.bytes}`;
  if (actual.sha256 !== f.sha256) return `its SHA-256 is ${actual.sha256}, the manifest says ${f.sha256}`;
  let rows: number;
  try {
    rows = await countRows(full, format);
  } catch (error) {
    return `cannot be read as ${format}: ${(error as Error).message}`;
  }
  return rows === f.rows ? undefined : `${rows} rows, the manifest says ${f.rows}`;
}

/** The manifest, checked for the fields verification needs; a string saying what is wrong otherwise. */
function parseManifest(text: string): ExportManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const m = value as Partial<ExportManifest> | null;
  if (!m || typeof m !== 'object') return 'not a JSON object';
  if (m.format !== MANIFEST_FORMAT)
    return `format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`;
  if (!EXPORT_FORMATS.includes(m.fileFormat as ExportFormat))
    return `unknown fileFormat ${JSON.stringify(m.fileFormat)}`;
  if (typeof m.manifestSha256 !== 'string') return 'no manifestSha256';
  if (typeof m.totalRows !== 'number') return 'no totalRows';
  if (
    !Array.isArray(m.files) ||
    !m.files.every(
      (f) =>
        f &&
        typeof f.path === 'string' &&
        typeof f.rows === 'number' &&
        typeof f.bytes === 'number' &&
        typeof f.sha256 === 'string',
    )
  )
    return 'files must list { path, rows, bytes, sha256 }';
  return m as ExportManifest;
}

/** Every file under `dir`, relative, `/`-separated. */
async function listFiles(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const parent =
      (entry as unknown as { parentPath?: string; path?: string }).parentPath ??
      (entry as unknown as { path: string }).path;
    out.add(relative(dir, join(parent, entry.name)).split(sep).join('/'));
  }
  return out;
}
